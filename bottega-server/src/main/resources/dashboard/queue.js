// The queue: a virtually scrolled table. Only the rows in view exist in the page; they are fetched from the
// controller a page (200 rows) at a time, so 100,000 jobs cost what 60 do.
import { duration, el, relative, stateBadge, time } from './util.js';

const ROW = 26, PAGE = 200;
const HEAD = ['Job', 'Name', 'User', 'Account', 'Partition', 'State', 'Start (predicted)', 'Reason / nodes', 'Time limit', 'Nodes', 'GPUs', 'Submitted'];

export class QueueTable {
  constructor(scroll, spacer, head, total, api, params) {
    Object.assign(this, { scroll, spacer, head, totalEl: total, api, params });
    this.pages = new Map();
    this.loading = new Map();
    this.total = 0;
    this.rowEls = new Map();
    this.cols = null;
    head.replaceChildren(...HEAD.map(h => el('span', { text: h })));
    scroll.addEventListener('scroll', () => this.render());
    window.addEventListener('resize', () => this.render());
  }

  /** Starts over (the filter or sort changed). */
  async reset() {
    this.pages.clear();
    this.loading.clear();
    for (const r of this.rowEls.values()) r.remove();
    this.rowEls.clear();
    this.scroll.scrollTop = 0;
    await this.page(0);
    this.render();
  }

  /** Refetches what is on screen (an update arrived). */
  async refresh() {
    const old = this.pages;
    this.pages = new Map();
    this.loading.clear();
    const [a, b] = this.visiblePages();
    const keep = [];
    for (let p = a; p <= b; p++) keep.push(this.page(p));
    // show the old rows until the new ones are in
    for (const [k, v] of old) if (!this.pages.has(k) && k >= a && k <= b) this.pages.set(k, v);
    await Promise.all(keep);
    this.render(true);
  }

  visiblePages() {
    const first = Math.floor(this.scroll.scrollTop / ROW);
    const last = first + Math.ceil((this.scroll.clientHeight || 600) / ROW) + 5;
    return [Math.floor(first / PAGE), Math.floor(Math.max(first, last) / PAGE)];
  }

  async page(p) {
    if (this.loading.has(p)) return this.loading.get(p);
    const q = new URLSearchParams({ ...this.params(), offset: p * PAGE, limit: PAGE });
    const f = this.api(`/api/v1/dashboard/queue?${q}`).then(r => {
      this.cols ??= Object.fromEntries(r.columns.map((c, i) => [c, i]));
      this.total = r.total;
      this.time = r.time;
      this.pages.set(p, r.rows);
      this.spacer.style.height = `${r.total * ROW}px`;
      this.totalEl.textContent = `${r.total.toLocaleString('en-US')} jobs`;
      return r.rows;
    });
    this.loading.set(p, f);
    return f;
  }

  render(force) {
    const first = Math.floor(this.scroll.scrollTop / ROW);
    const last = Math.min(this.total - 1, first + Math.ceil((this.scroll.clientHeight || 600) / ROW) + 5);
    const wanted = new Set();
    for (let i = first; i <= last; i++) {
      wanted.add(i);
      const p = Math.floor(i / PAGE);
      const rows = this.pages.get(p);
      if (!rows) { this.page(p).then(() => this.render()); continue; }
      const row = rows[i - p * PAGE];
      if (!row) continue;
      let e = this.rowEls.get(i);
      if (e && !force && e.dataset.job === String(row[0]) && e.dataset.t === String(this.time)) continue;
      const fresh = this.rowEl(row, i);
      if (e) e.replaceWith(fresh); else this.spacer.append(fresh);
      this.rowEls.set(i, fresh);
    }
    for (const [i, e] of this.rowEls) if (!wanted.has(i)) { e.remove(); this.rowEls.delete(i); }
  }

  rowEl(r, i) {
    const c = this.cols, state = r[c.state];
    const start = state === 'PENDING' ? (r[c.predictedStart] ? `${time(r[c.predictedStart])} (${relative(r[c.predictedStart], this.time)})` : 'unknown')
      : time(r[c.startTime]);
    const where = state === 'PENDING' ? r[c.reason] : r[c.nodeList];
    const id = r[c.arrayJobId] > 0 ? `${r[c.id]} (${r[c.arrayJobId]}_${r[c.arrayTaskId]})` : String(r[c.id]);
    const e = el('div', { class: 'qrow', 'data-job': String(r[c.id]), 'data-t': String(this.time), style: `top:${i * ROW}px` },
      el('span', { text: id }), el('span', { text: r[c.name], title: r[c.name] }), el('span', { text: r[c.user] }),
      el('span', { text: r[c.account] }), el('span', { text: r[c.partition] }), el('span', {}, stateBadge(state)),
      el('span', { text: start }), el('span', { text: where, title: where }), el('span', { text: duration(r[c.timeLimit]) }),
      el('span', { text: String(r[c.nodes]) }), el('span', { text: String(r[c.gpus]) }), el('span', { text: time(r[c.submitTime]) }));
    e.addEventListener('click', () => { location.hash = `#/job/${r[c.id]}`; });
    return e;
  }
}
