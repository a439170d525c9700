/* aptic-qualif serve — progressive enhancement only: every page works without this file.
 *
 * On a form marked data-autosave, each change is sent to the server as the person types
 * (the same POST as the Save button, with the header X-Autosave: 1). The server saves the
 * application file, validates it and answers which questions now apply and the message of
 * each question; this script only shows what the server decided.
 *
 * The form carries the version of what it shows (_version); each answer gives the version
 * to send next. A field changed elsewhere in the meantime is not replaced: the server
 * answers 409 with a message naming the question and both values, shown at the status
 * instead of « Enregistré ». */
(function () {
  "use strict";
  /* A link to a question (#its-id, from an error summary) puts the focus in its field,
   * not only the page at it: the first choice of a group of choices. */
  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target || !target.closest || !target.closest("[data-item]")) {
      return;
    }
    if (target.tagName === "FIELDSET") {
      target = target.querySelector("input") || target;
    }
    target.focus();
  }
  window.addEventListener("hashchange", focusTarget);
  focusTarget();
})();

/* A text with a limit (data-counted: the summary, 280 characters on the national map) shows
 * how many characters it holds as one types; screen readers hear it once the typing
 * pauses (a polite live region), not at every key. Without this script the count is the
 * one of the saved text, and the server says when the text is too long. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-counted]"), function (field) {
    var shown = document.querySelector('[data-counter-for="' + field.id + '"]');
    var said = document.querySelector('[data-counter-said="' + field.id + '"]');
    var limit = parseInt(field.getAttribute("data-counted"), 10);
    var timer = null;
    if (!shown || !limit) {
      return;
    }
    function text() {
      var count = Array.from ? Array.from(field.value.trim()).length : field.value.trim().length;
      var over = count - limit;
      var template = shown.getAttribute(over > 0 ? "data-over" : "data-text") || "";
      shown.classList.toggle("depasse", over > 0);
      return template.replace("{count}", count).replace("{limit}", limit).replace("{over}", over);
    }
    field.addEventListener("input", function () {
      var words = text();
      shown.textContent = words;
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (said) {
          said.textContent = words;
        }
      }, 800);
    });
  });
})();

(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var status = form.querySelector("[data-status]");
  var version = form.querySelector("[data-version]");
  var timer = null;
  var running = false;
  var again = false;

  function messages(box, list, warnings) {
    while (box.firstChild) {
      box.removeChild(box.firstChild);
    }
    list.forEach(function (text) {
      var p = document.createElement("p");
      p.className = "erreur";
      p.textContent = text;
      box.appendChild(p);
    });
    warnings.forEach(function (text) {
      var p = document.createElement("p");
      p.className = "avertissement";
      p.textContent = text;
      box.appendChild(p);
    });
  }

  function show(data) {
    var shown = null;
    if (data.shown) {
      shown = {};
      data.shown.forEach(function (id) { shown[id] = true; });
    }
    Array.prototype.forEach.call(form.querySelectorAll("[data-item]"), function (el) {
      var id = el.getAttribute("data-item");
      var errors = data.errors[id] || [];
      if (shown) {
        el.hidden = !shown[id];
      }
      el.classList.toggle("en-erreur", errors.length > 0);
      var box = document.getElementById("err-" + id);
      if (box) {
        messages(box, errors, (data.warnings || {})[id] || []);
      }
      var input = document.getElementById(id);
      if (input) {
        if (errors.length) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      }
    });
    if (version && data.version) {
      version.value = data.version;
    }
    if (status) {
      status.textContent = data.conflict || data.saved;
      status.classList.toggle("erreur", Boolean(data.conflict));
    }
  }

  function save() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-Autosave": "1" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok && response.status !== 409) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(show).catch(function () {
      if (status) {
        status.textContent = form.getAttribute("data-failed") || "";
      }
    }).then(function () {
      running = false;
      if (again) {
        again = false;
        save();
      }
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    save();
  });
})();
