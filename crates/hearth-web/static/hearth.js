// Hearth's own script: small progressive enhancements only; every page works without it.
// Buttons marked data-print open the browser's print dialog (the out-of-hours summary).
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-print]');
  if (button) {
    event.preventDefault();
    window.print();
  }
});
