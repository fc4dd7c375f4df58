// 窓口端末のカードリーダー: when the staff site runs on a server, the card reader is plugged into
// this PC and served by the card agent (devices/agent.py) at the address the setting
// card_reader_agent_url gives. The read form then asks the agent and hands the reading to the
// server, which shows it beside the ledger as if it had read the card itself.
window.kofuAskAgent = function (url, body) {
  return fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
    .then(function (response) { return response.json(); });
};
window.KOFU_AGENT_UNREACHABLE = "この端末のカードリーダー用エージェントに接続できません。エージェントが起動しているか確かめてください。";

(function () {
  var section = document.getElementById("read-card");
  var agent = section.dataset.agentUrl;
  if (!agent) { return; }
  var form = section.querySelector("form");
  var handover = document.getElementById("terminal-reading");
  var message = document.getElementById("agent-message");

  function show(text) {
    message.textContent = text;
    message.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {mode: event.submitter ? event.submitter.value : "cert"};
    ["birth_yymmdd", "expiry_year", "security_code"].forEach(function (name) {
      body[name] = form.elements[name].value;
    });
    form.elements.security_code.value = "";
    message.hidden = true;
    window.kofuAskAgent(agent + "/read", body)
      .then(function (answer) {
        if (answer.reading) {
          handover.elements.reading.value = JSON.stringify(answer.reading);
          handover.submit();
          return;
        }
        show(answer.error);
        if (answer.field) { form.elements[answer.field].focus(); }
      })
      .catch(function () { show(window.KOFU_AGENT_UNREACHABLE); });
  });
})();
