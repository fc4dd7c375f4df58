// 連続読取: ask the server, again and again, to wait for the next card on the reader and read it;
// each card read becomes a row at the top of the table. Without JavaScript the section stays
// hidden and the single-card form above does the work.
(function () {
  var section = document.getElementById("card-watch");
  var form = document.getElementById("card-watch-form");
  var start = document.getElementById("card-watch-start");
  var stop = document.getElementById("card-watch-stop");
  var status = document.getElementById("card-watch-status");
  var rows = document.getElementById("card-watch-rows");
  var watching = false;

  function setWatching(on) {
    watching = on;
    start.disabled = on;
    stop.disabled = !on;
    status.textContent = on ? "カードを置いてください。" : "連続読取を止めました。";
  }

  function waitForCard() {
    if (!watching) { return; }
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("refused"); }
        return response.json();
      })
      .then(function (answer) {
        if (!watching) { return; }
        if (answer.status === "read") {
          rows.insertAdjacentHTML("afterbegin", answer.html);
          status.textContent = "読み取りました。次のカードを置いてください。";
        } else if (answer.status === "error") {
          status.textContent = answer.message;
        }
        waitForCard();
      })
      .catch(function () {
        setWatching(false);
        status.textContent = "連続読取を続けられませんでした。画面を読み込み直してください。";
      });
  }

  section.hidden = false;
  start.addEventListener("click", function () { setWatching(true); waitForCard(); });
  stop.addEventListener("click", function () { setWatching(false); });
})();
