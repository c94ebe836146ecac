// Small helpers shared by the dashboard's views: formatting, escaping, elements.

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const pad = n => String(n).padStart(2, '0');

/** Epoch seconds → "2025-01-31 13:45:00" in local time; "" for 0. */
export function time(s) {
  if (!s) return '';
  const d = new Date(s * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Seconds → Slurm's [D-]HH:MM:SS. */
export function duration(s) {
  if (s == null || s < 0) return '';
  if (s >= 0x7fffffff) return 'UNLIMITED';
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
  return (d ? d + '-' : '') + `${pad(h)}:${pad(m)}:${pad(x)}`;
}

/** Epoch seconds relative to now: "in 5 min", "3 h ago". */
export function relative(s, now = Date.now() / 1000) {
  if (!s) return '';
  const d = s - now, a = Math.abs(d);
  const t = a < 90 ? `${Math.round(a)} s` : a < 5400 ? `${Math.round(a / 60)} min` : a < 172800 ? `${(a / 3600).toFixed(1)} h` : `${(a / 86400).toFixed(1)} d`;
  return d >= 0 ? `in ${t}` : `${t} ago`;
}

export function num(n, digits = 0) {
  return Number(n ?? 0).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function stateBadge(state) {
  return el('span', { class: `state ${state}`, text: state });
}
