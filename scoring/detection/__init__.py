"""Behaviour detection in one operator reply.

Public surface: :class:`Detection`, :class:`DetectionResult`, :class:`BehaviourDetector` (the
protocol the engine depends on) and :func:`default_detector` (the shipped implementation).
"""

from scoring.detection.types import BehaviourDetector, Detection, DetectionResult

__all__ = ["BehaviourDetector", "Detection", "DetectionResult"]
