"""Behaviour detection in one operator reply.

Public surface: :class:`Detection`, :class:`DetectionResult`, :class:`BehaviourDetector` (the
protocol the engine depends on), :class:`RuleDetector` (the shipped implementation) and
:func:`default_detector` (its cached singleton).
"""

from scoring.detection.detector import RuleDetector, default_detector
from scoring.detection.types import BehaviourDetector, Detection, DetectionResult

__all__ = ["BehaviourDetector", "Detection", "DetectionResult", "RuleDetector", "default_detector"]
