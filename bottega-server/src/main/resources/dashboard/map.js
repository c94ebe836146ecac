// The machine map: every node as one cell on one canvas, grouped by network group, coloured by state and
// GPU occupancy (CPU occupancy for nodes without GPUs). Hover shows a node, click lists its jobs.
import { el, esc } from './util.js';

const COLOURS = { idle: '#cfe8d5', down: '#d64545', drain: '#f0a030', unknown: '#b8bec8', busy0: [156, 195, 240], busy1: [11, 61, 145] };

function busy(f) {
  const a = COLOURS.busy0, b = COLOURS.busy1;
  const t = Math.max(0, Math.min(1, f));
  return `rgb(${Math.round(a[0] + (b[0] - a[0]) * t)},${Math.round(a[1] + (b[1] - a[1]) * t)},${Math.round(a[2] + (b[2] - a[2]) * t)})`;
}

export function legend() {
  const items = [['idle', COLOURS.idle], ['in use (light → full)', `linear-gradient(90deg, ${busy(0)}, ${busy(1)})`],
    ['drained / draining', COLOURS.drain], ['down', COLOURS.down], ['unknown (no agent)', COLOURS.unknown]];
  return items.map(([k, c]) => `<span><i style="background:${c}"></i>${esc(k)}</span>`).join('');
}

export class MachineMap {
  constructor(canvas, scroll, tip, panel, api, openJob) {
    Object.assign(this, { canvas, scroll, tip, panel, api, openJob });
    this.d = null;
    this.highlight = new Set();
    this.selected = -1;
    canvas.addEventListener('mousemove', e => this.hover(e));
    canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
    canvas.addEventListener('click', e => this.click(e));
    // relayout when the map's box changes width (the window, or the node panel opening beside it)
    let width = 0;
    new ResizeObserver(() => {
      if (!this.d || this.scroll.clientWidth === width) return;
      width = this.scroll.clientWidth;
      this.layout();
      this.draw();
    }).observe(this.scroll);
  }

  setData(d) {
    const first = !this.d;
    this.d = d;
    this.byName = new Map(d.name.map((n, i) => [n, i]));
    this.layout();
    this.draw();
    if (this.selected >= 0 && !this.panel.hidden) this.showNode(this.selected, false);
    return first;
  }

  layout() {
    const d = this.d, n = d.name.length;
    const groups = d.groups.map(() => []);
    for (let i = 0; i < n; i++) groups[d.group[i]].push(i);
    const s = n <= 64 ? 30 : n <= 512 ? 18 : n <= 2048 ? 12 : 9;
    const gap = s >= 12 ? 2 : 1;
    const width = Math.max(320, this.scroll.clientWidth - 2);
    const largest = Math.max(1, ...groups.map(g => g.length));
    let cols = Math.max(4, Math.ceil(Math.sqrt(largest * 2)));
    cols = Math.min(cols, Math.floor((width - 16) / (s + gap)));
    const tileW = cols * (s + gap) + 12, label = 16;
    const perRow = Math.max(1, Math.floor(width / tileW));
    const x = new Float32Array(n), y = new Float32Array(n);
    const tiles = [];
    let rowTop = 4, rowH = 0, col = 0;
    groups.forEach((members, g) => {
      if (!members.length) return;
      if (col === perRow) { col = 0; rowTop += rowH; rowH = 0; }
      const left = col * tileW + 6, rows = Math.ceil(members.length / cols);
      const h = label + rows * (s + gap) + 10;
      tiles.push({ g, left, top: rowTop, w: tileW - 6, h, members });
      members.forEach((i, k) => { x[i] = left + (k % cols) * (s + gap); y[i] = rowTop + label + Math.floor(k / cols) * (s + gap); });
      rowH = Math.max(rowH, h);
      col++;
    });
    const height = rowTop + rowH + 4;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    Object.assign(this, { s, gap, x, y, tiles, cols, dpr, cssWidth: width, cssHeight: height });
  }

  colour(i) {
    const d = this.d, st = d.states[d.state[i]];
    if (st.startsWith('down')) return COLOURS.down;
    if (st.startsWith('drain')) return COLOURS.drain;
    if (st === 'unknown') return COLOURS.unknown;
    if (st === 'idle') return COLOURS.idle;
    const f = d.gpus[i] > 0 ? d.gpusAlloc[i] / d.gpus[i] : d.cpusAlloc[i] / Math.max(1, d.cpus[i]);
    return busy(0.15 + 0.85 * f);
  }

  draw() {
    const ctx = this.canvas.getContext('2d'), d = this.d, s = this.s;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.cssWidth, this.cssHeight);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    for (const t of this.tiles) {
      ctx.fillStyle = '#f3f5f8';
      ctx.fillRect(t.left - 4, t.top, t.w, t.h - 6);
      ctx.fillStyle = '#4b5563';
      const busyN = t.members.filter(i => d.gpusAlloc[i] > 0 || d.cpusAlloc[i] > 0).length;
      ctx.fillText(`${d.groups[t.g]}  ${busyN}/${t.members.length}`, t.left, t.top + 2);
    }
    const n = d.name.length;
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = this.colour(i);
      ctx.fillRect(this.x[i], this.y[i], s, s);
    }
    ctx.lineWidth = 2;
    for (const i of this.highlight) {
      ctx.strokeStyle = '#ff2d8a';
      ctx.strokeRect(this.x[i] - 1, this.y[i] - 1, s + 2, s + 2);
    }
    if (this.selected >= 0) {
      ctx.strokeStyle = '#111';
      ctx.strokeRect(this.x[this.selected] - 1, this.y[this.selected] - 1, s + 2, s + 2);
    }
  }

  /** The node under a point of the canvas (CSS pixels), or -1. */
  at(px, py) {
    const s = this.s, g = this.gap;
    for (const t of this.tiles) {
      if (px < t.left || px >= t.left + this.cols * (s + g) || py < t.top + 16 || py >= t.top + t.h) continue;
      const c = Math.floor((px - t.left) / (s + g)), r = Math.floor((py - t.top - 16) / (s + g));
      const k = r * this.cols + c;
      if (k >= 0 && k < t.members.length) return t.members[k];
    }
    return -1;
  }

  /** The centre of a node's cell relative to the canvas' centre (for tests driving the mouse). */
  offsetOf(name) {
    const i = this.byName?.get(name);
    if (i == null) return null;
    return { x: Math.round(this.x[i] + this.s / 2 - this.cssWidth / 2), y: Math.round(this.y[i] + this.s / 2 - this.cssHeight / 2) };
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return this.at(e.clientX - r.left, e.clientY - r.top);
  }

  describe(i) {
    const d = this.d, jobs = d.jobs[i];
    const ids = jobs.filter(j => j > 0), hidden = jobs.length - ids.length;
    let t = `${d.name[i]}  (${d.groups[d.group[i]]})\n${d.states[d.state[i]]}\nCPUs ${d.cpusAlloc[i]}/${d.cpus[i]}`;
    if (d.gpus[i] > 0) t += `   GPUs ${d.gpusAlloc[i]}/${d.gpus[i]}`;
    if (ids.length) t += `\njobs: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}`;
    if (hidden) t += `\n${hidden} job(s) of other users`;
    return t;
  }

  hover(e) {
    const i = this.point(e);
    if (i < 0) { this.tip.hidden = true; return; }
    this.tip.textContent = this.describe(i);
    this.tip.style.left = `${e.clientX + 14}px`;
    this.tip.style.top = `${e.clientY + 14}px`;
    this.tip.hidden = false;
  }

  click(e) {
    const i = this.point(e);
    if (i >= 0) this.showNode(i, true);
  }

  async showNode(i, select) {
    if (select) { this.selected = i; this.draw(); }
    const name = this.d.name[i];
    const r = await this.api(`/api/v1/dashboard/nodes/${encodeURIComponent(name)}`);
    const n = r.node;
    const p = this.panel;
    p.hidden = false;
    p.replaceChildren(
      el('h3', { text: n.name }),
      el('div', { class: 'note', text: `${n.state}${n.reason ? ' — ' + n.reason : ''}` }),
      el('div', { text: `group ${n.group || '—'} · partitions ${n.partitions.join(', ')}` }),
      el('div', { text: `CPUs ${n.cpusAlloc}/${n.cpus} · memory ${Math.round(n.memAllocMb / 1024)}/${Math.round(n.memMb / 1024)} GB`
        + (n.gpus ? ` · GPUs ${n.gpusAlloc}/${n.gpus} ${n.gpuType}` : '') }),
      el('div', { class: 'note', text: r.heartbeatLagMs >= 0 ? `agent seen ${(r.heartbeatLagMs / 1000).toFixed(1)} s ago` : 'agent never registered' }),
      el('h2', { text: `Jobs on ${n.name} (${r.jobs.length})` }),
      r.jobs.length ? el('ul', { id: 'node-jobs' }, ...r.jobs.map(j => j.hidden ? el('li', { text: 'a job of another user' })
        : el('li', {}, el('a', { href: `#/job/${j.id}`, class: 'job-link', 'data-job': String(j.id), text: `${j.id}` }),
          ` ${j.name} — ${j.user} (${j.account || 'no account'}) · ${j.gpus} GPU · ${j.cpus} CPU · ${j.nodes} node(s)`)))
        : el('p', { class: 'note', text: 'no job runs here' }));
  }

  /** Highlights the nodes of a node name, a job id or a hostlist-free substring. */
  find(text) {
    this.highlight.clear();
    const d = this.d;
    if (d && text) {
      const id = /^\d+$/.test(text) ? Number(text) : -1;
      for (let i = 0; i < d.name.length; i++) {
        if (d.name[i] === text || d.name[i].includes(text) || (id > 0 && d.jobs[i].includes(id))) this.highlight.add(i);
      }
    }
    if (d) this.draw();
    return this.highlight.size;
  }
}
