// Hearth's own script: small progressive enhancements only; every page works without it.
// Buttons marked data-print open the browser's print dialog (the out-of-hours summary).
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-print]');
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// Live regions: elements with data-live and an id are fetched again when the server says
// something for this user changed (server-sent events from /live), so a new message, a read
// receipt or an agreed call appears without a reload. A region holding the focus (someone is
// typing in it) waits until the focus leaves it. Without this script the page is simply
// current when loaded.
(() => {
  if (!window.EventSource || !document.querySelector('[data-live][id]')) {
    return;
  }
  let timer = null;
  let waiting = false;
  const refresh = async () => {
    timer = null;
    let response;
    try {
      response = await fetch(window.location.href, { credentials: 'same-origin' });
    } catch (error) {
      return;
    }
    if (!response.ok) {
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    waiting = false;
    for (const region of document.querySelectorAll('[data-live][id]')) {
      if (region.contains(document.activeElement) && document.activeElement !== document.body) {
        waiting = true;
        continue;
      }
      const fresh = page.getElementById(region.id);
      if (fresh) {
        region.replaceWith(document.adoptNode(fresh));
      }
    }
    document.documentElement.dataset.liveUpdated = String(Date.now());
  };
  const schedule = () => {
    if (!timer) {
      timer = setTimeout(refresh, 150);
    }
  };
  document.addEventListener('focusout', () => {
    if (waiting) {
      schedule();
    }
  });
  const source = new EventSource('/live');
  source.addEventListener('change', schedule);
})();
