// Repairs of Vant 4's own ARIA that its components give no prop for (issue 15, found by axe-core):
// - a toast is a status message, not a dialog without a name: role="status", aria-live="polite";
// - a dialog's aria-labelledby holds its title *text* instead of an id: the title becomes its aria-label;
// - tabs used as a filter bar have no panels, so aria-controls points at nothing: it is dropped.
// One observer, batched per animation frame; nothing else in the app touches ARIA outside its templates.
function repair(root) {
  for (const toast of root.querySelectorAll('.van-toast[role="dialog"]')) {
    toast.setAttribute('role', 'status')
    toast.setAttribute('aria-live', 'polite')
    toast.removeAttribute('tabindex')
  }
  for (const dialog of root.querySelectorAll('.van-dialog[aria-labelledby]')) {
    const ref = dialog.getAttribute('aria-labelledby')
    if (ref && !document.getElementById(ref)) {
      dialog.removeAttribute('aria-labelledby')
      dialog.setAttribute('aria-label', ref)
    }
  }
  for (const tab of root.querySelectorAll('[role="tab"][aria-controls]')) {
    if (!document.getElementById(tab.getAttribute('aria-controls'))) tab.removeAttribute('aria-controls')
  }
}

export function installVantAria() {
  let scheduled = false
  const run = () => {
    scheduled = false
    repair(document)
  }
  new MutationObserver(() => {
    if (scheduled) return
    scheduled = true
    requestAnimationFrame(run)
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-labelledby', 'aria-controls', 'role'] })
  run()
}
