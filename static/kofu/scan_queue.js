// Code readers (USB, keyboard mode) type a whole code and Enter faster than a page reloads, so a
// form marked data-scan-field keeps each read in a queue, with the form's other fields as they
// were at that moment, and posts them one at a time in the background. The answer's live region
// (data-live) replaces the page's, and the newest row (tr[data-scan]) sounds its data-tone:
// ok, duplicate or error. Without this script the form posts the usual way.
(function () {
  // [frequency Hz, start s, length s]: one high tone when done, two middle ones for a repeat,
  // a low buzz for an error.
  var TONES = {
    ok: [[880, 0, 0.08]],
    duplicate: [[660, 0, 0.06], [660, 0.12, 0.06]],
    error: [[220, 0, 0.15], [180, 0.2, 0.25]]
  };
  var audio = null;

  function beep(kind) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !TONES[kind]) { return; }
    audio = audio || new Context();
    TONES[kind].forEach(function (tone) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = kind === "error" ? "square" : "sine";
      oscillator.frequency.value = tone[0];
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(audio.currentTime + tone[1]);
      oscillator.stop(audio.currentTime + tone[1] + tone[2]);
    });
  }

  function newestScan() {
    var row = document.querySelector("tr[data-scan]");
    return row ? Number(row.dataset.scan) : 0;
  }

  function queueScans(form) {
    var field = form.elements[form.dataset.scanField];
    var live = document.getElementById(form.dataset.live);
    var pending = document.getElementById(form.dataset.pending);
    var queue = [];
    var busy = false;

    function showPending() {
      pending.hidden = queue.length === 0 && !busy;
      pending.textContent = "送信待ち " + (queue.length + (busy ? 1 : 0)) + " 件";
    }

    function sendNext() {
      if (busy || queue.length === 0) { showPending(); return; }
      busy = true;
      showPending();
      var before = newestScan();
      fetch(form.action, {method: "POST", body: queue[0], credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (html) {
          queue.shift();
          var page = new DOMParser().parseFromString(html, "text/html");
          live.innerHTML = page.getElementById(form.dataset.live).innerHTML;
          var row = document.querySelector("tr[data-scan]");
          if (row && Number(row.dataset.scan) > before) { beep(row.dataset.tone); }
          busy = false;
          sendNext();
        })
        .catch(function () {
          busy = false;
          beep("error");
          pending.hidden = false;
          pending.textContent = "送信できませんでした。未送信 " + queue.length + " 件。通信を確認してから、もう一度読み取るかEnterを押してください。";
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value;
      field.value = "";
      field.focus();
      if (text.trim()) {
        var data = new FormData(form);
        data.set(field.name, text);
        queue.push(data);
      }
      sendNext();
    });
    document.addEventListener("click", function () {
      if (document.activeElement === document.body) { field.focus(); }
    });
  }

  document.querySelectorAll("form[data-scan-field]").forEach(queueScans);
})();
