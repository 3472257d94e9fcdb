// descent figures: play/pause and an iteration slider for every animated SVG figure.
// The figures animate with SMIL and loop without this script; it only adds the controls.
(function () {
  'use strict';
  function setup(svg) {
    var steps = parseInt(svg.getAttribute('data-steps'), 10);
    var dt = parseFloat(svg.getAttribute('data-step-dur'));
    var total = parseFloat(svg.getAttribute('data-dur'));
    // What the figure's own counter shows at each step (training steps of keyframes), if given.
    var names = (svg.getAttribute('data-step-labels') || '').split(' ');
    if (!(steps > 0) || !(dt > 0) || !(total > 0) || !svg.pauseAnimations) return;
    // The script takes over: reduced motion pauses at the last step (below), not by CSS.
    svg.classList.add('dfig-js');
    var bar = document.createElement('div');
    var button = document.createElement('button');
    var slider = document.createElement('input');
    var out = document.createElement('output');
    bar.className = 'dfig-player';
    button.type = 'button';
    // A toggle: its name stays "Play" and aria-pressed says whether it is playing.
    button.setAttribute('aria-label', 'Play');
    slider.type = 'range';
    slider.min = '0';
    slider.max = String(steps);
    slider.step = '1';
    slider.value = '0';
    slider.setAttribute('aria-label', 'iteration');
    bar.appendChild(button);
    bar.appendChild(document.createTextNode(svg.getAttribute('data-step-name') || 'iteration'));
    bar.appendChild(slider);
    bar.appendChild(out);
    svg.parentNode.insertBefore(bar, svg.nextSibling);
    // The figure's own stop/replay buttons (SMIL, for pages without script) give way to this player.
    var own = svg.querySelectorAll('.dfig-smil');
    for (var k = 0; k < own.length; k++) own[k].style.display = 'none';
    function name(step) {
      return names.length === steps + 1 ? names[step] : String(step);
    }
    function show(step) {
      slider.value = String(step);
      slider.setAttribute('aria-valuetext', name(step));
      out.textContent = name(step) + ' / ' + name(steps);
    }
    function label(playing) {
      // The icon shows what a press does; the name stays "Play", aria-pressed its state.
      button.innerHTML = '<span aria-hidden="true">' + (playing ? '\u275a\u275a' : '\u25b6') + '</span>';
      button.title = playing ? 'Pause' : 'Play';
      button.setAttribute('aria-pressed', playing ? 'true' : 'false');
    }
    function tick() {
      if (svg.animationsPaused()) return;
      show(Math.min(steps, Math.floor((svg.getCurrentTime() % total) / dt)));
      window.requestAnimationFrame(tick);
    }
    function seek(step) {
      svg.pauseAnimations();
      // A hair past the step's key time, so discrete values (the counter) show this step.
      svg.setCurrentTime(step * dt + dt * 0.02);
      label(false);
      show(step);
    }
    button.addEventListener('click', function () {
      if (svg.animationsPaused()) {
        svg.unpauseAnimations();
        label(true);
        tick();
      } else {
        svg.pauseAnimations();
        label(false);
      }
    });
    slider.addEventListener('input', function () { seek(parseInt(slider.value, 10)); });
    svg.dfigSeek = seek;
    if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches) {
      seek(steps);
    } else {
      label(true);
      show(0);
      tick();
    }
  }
  function init() {
    var figures = document.querySelectorAll('svg.dfig[data-steps]');
    for (var i = 0; i < figures.length; i++) setup(figures[i]);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
