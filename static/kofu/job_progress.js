// Following a background job (CSV import, batch PDF): poll its progress address every half second,
// show done / total on a <progress> bar and its text with ``unit`` (件, 枚), and hand each state to
// ``finished(state)``, which returns true once it has dealt with the end of the job.
window.kofuFollowJob = function (url, bar, text, unit, finished) {
  fetch(url, {credentials: "same-origin"})
    .then(function (response) { return response.json(); })
    .then(function (state) {
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
      text.textContent = state.done + " / " + state.total + " " + unit;
      if (!finished(state)) {
        setTimeout(function () { window.kofuFollowJob(url, bar, text, unit, finished); }, 500);
      }
    });
};
