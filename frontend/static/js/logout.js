const button = document.getElementById("logout");
button?.addEventListener("click", async () => {
  await fetch("/api/auth/logout", { method: "POST", credentials: "same-origin" });
  location.assign("/login");
});
