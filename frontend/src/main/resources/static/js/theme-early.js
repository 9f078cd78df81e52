// Before first paint (a classic script in <head>, not a module), so a chosen theme never flashes the other one.
// A file rather than an inline script: the Content-Security-Policy allows scripts from this origin only.
try { const t = localStorage.getItem('reelay-theme'); if (t) document.documentElement.dataset.theme = t; } catch (e) {}
