// Formatting shared by the dashboard and the job page: words and numbers as people read them.

// 0:07, 1:05, 1:02:03
export function clock(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// Every time on the page in one form, "Dec 7, 18:04:09" (the reader's locale and zone); the full instant is in
// the <time> element's datetime attribute.
const WHEN = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  second: '2-digit', hourCycle: 'h23' });

export function when(iso) {
  return WHEN.format(new Date(iso));
}

export function setTime(element, iso) {
  element.dateTime = iso;
  element.textContent = when(iso);
  element.title = new Date(iso).toString();
}

// "≈ 0:42 left" from the rate this job has moved at since it was first seen moving (else since it was created);
// empty until there is progress to go by.
export function eta(job, seen, now = Date.now()) {
  if (seen && job.progress > seen.progress) {
    const rate = (job.progress - seen.progress) / (now - seen.at);
    return `≈ ${clock((100 - job.progress) / rate)} left`;
  }
  if (job.progress > 0) {
    const elapsed = now - Date.parse(job.created_at);
    return `≈ ${clock(elapsed * (100 - job.progress) / job.progress)} left`;
  }
  return '';
}

export function money(amount, currency = 'USD') {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function shorten(text, max = 60) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
