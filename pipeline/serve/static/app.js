// Keyboard flow and copy buttons; the pages work without this script.
(function () {
  "use strict";
  const hits = Array.from(document.querySelectorAll("li.hit"));
  let current = -1;

  function typing(event) {
    const t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable);
  }

  function select(i) {
    if (!hits.length) return;
    current = Math.max(0, Math.min(hits.length - 1, i));
    hits.forEach((h, k) => h.classList.toggle("active", k === current));
    hits[current].focus();
    hits[current].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      if (typing(event)) { event.target.blur(); return; }
      const back = document.getElementById("back");
      if (back) { window.location.href = back.href; }
      return;
    }
    if (typing(event)) return;
    if (event.key === "/") {
      const box = document.getElementById("q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    } else if (event.key === "j") {
      select(current + 1);
    } else if (event.key === "k") {
      select(current - 1);
    } else if ((event.key === "o" || event.key === "Enter") && current >= 0) {
      const link = hits[current].querySelector("a.open");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    } else if (event.key === "n") {
      const next = document.getElementById("next-page");
      if (next) window.location.href = next.href;
    } else if (event.key === "p") {
      const prev = document.getElementById("prev-page");
      if (prev) window.location.href = prev.href;
    }
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.copy");
    if (!button) return;
    const text = button.getAttribute("data-copy");
    const done = () => { button.textContent = "copied"; setTimeout(() => { button.textContent = "copy"; }, 1200); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, done);
    } else {
      const area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
      area.remove(); done();
    }
  });

  const here = document.getElementById("current");
  if (here) here.scrollIntoView({ block: "center" });
})();
