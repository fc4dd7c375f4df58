// 連続読取: wait, again and again, for the next card on the reader and read it; each card read
// becomes a row at the top of the table. The server waits for the card itself, or, with the
// counter PC's card agent (card_agent.js), the agent waits and the server renders the row.
// Without JavaScript the section stays hidden and the single-card form above does the work.
(function () {
  var section = document.getElementById("card-watch");
  var agent = document.getElementById("read-card").dataset.agentUrl;
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

  function askServer(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("refused"); }
        return response.json();
      });
  }

  function nextCard() {
    if (!agent) { return askServer(form.action, new FormData(form)); }
    return window.kofuAskAgent(agent + "/next", {wait: Number(form.dataset.waitSeconds)}).then(function (answer) {
      if (answer.status !== "read") { return answer; }
      var body = new FormData(form);
      body.append("reading", JSON.stringify(answer.reading));
      return askServer(form.dataset.rowUrl, body);
    });
  }

  function waitForCard() {
    if (!watching) { return; }
    nextCard()
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
        status.textContent = agent ? window.KOFU_AGENT_UNREACHABLE : "連続読取を続けられませんでした。画面を読み込み直してください。";
      });
  }

  section.hidden = false;
  start.addEventListener("click", function () { setWatching(true); waitForCard(); });
  stop.addEventListener("click", function () { setWatching(false); });
})();
