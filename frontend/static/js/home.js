import { wireStartButtons } from "./start-session.js";

wireStartButtons(document.getElementById("start-error"));
