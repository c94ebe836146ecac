// The Bottega dashboard: a plain ES module, no build step. Data from /api/v1/dashboard/*, live updates from
// /api/v1/events (server-sent events read through fetch, so the token travels in a header, not the URL).
import { MachineMap, legend } from './map.js';
import { QueueTable } from './queue.js';
import { duration, el, num, relative, stateBadge, time } from './util.js';

const TOKEN = 'bottega.token';
const $ = id => document.getElementById(id);
const S = { token: localStorage.getItem(TOKEN), me: null, view: '', jobId: 0, summary: null, charts: null, echarts: null };
const perf = (window.__bottega = { marks: {} });

class Unauthorized extends Error {}

async function api(path) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${S.token}` } });
  if (r.status === 401) { logout('Your token was refused (expired or invalid): log in again.'); throw new Unauthorized(); }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

// ------------------------------------------------------------------ login

function showLogin(message) {
  $('main').hidden = true;
  $('login').hidden = false;
  $('logout').hidden = true;
  $('whoami').textContent = '';
  $('login-error').textContent = message || '';
  $('token').focus();
}

function logout(message) {
  localStorage.removeItem(TOKEN);
  S.token = null;
  S.me = null;
  stopEvents();
  showLogin(message);
}

$('login-form').addEventListener('submit', async e => {
  e.preventDefault();
  const t = $('token').value.trim();
  const r = await fetch('/api/v1/whoami', { headers: { Authorization: `Bearer ${t}` } }).catch(() => null);
  if (!r || !r.ok) {
    const b = r ? await r.json().catch(() => ({})) : {};
    $('login-error').textContent = `Not accepted: ${b.error || 'the controller did not answer'}`;
    return;
  }
  S.token = t;
  localStorage.setItem(TOKEN, t);
  $('token').value = '';
  await start();
});
$('logout').addEventListener('click', () => logout());

async function start() {
  try {
    S.me = await api('/api/v1/whoami');
  } catch (e) {
    if (!(e instanceof Unauthorized)) showLogin(`Cannot reach the controller: ${e.message}`);
    return;
  }
  $('login').hidden = true;
  $('main').hidden = false;
  $('logout').hidden = false;
  $('whoami').textContent = `${S.me.user}${S.me.operator ? ' (operator)' : ''}`;
  api('/api/v1/dashboard/summary').then(s => { $('cluster-name').textContent = s.cluster; }).catch(() => {});
  listen();
  route();
}

// ------------------------------------------------------------------ live updates

let events = null;

async function listen() {
  stopEvents();
  const ctl = new AbortController();
  events = ctl;
  let backoff = 1000;
  while (events === ctl) {
    try {
      const r = await fetch('/api/v1/events', { headers: { Authorization: `Bearer ${S.token}`, Accept: 'text/event-stream' }, signal: ctl.signal });
      if (r.status === 401) { logout('Your token was refused: log in again.'); return; }
      if (!r.ok) throw new Error(`${r.status}`);
      $('live').classList.add('on');
      backoff = 1000;
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, k);
          buf = buf.slice(k + 2);
          let name = 'message', data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (name === 'update' && data) onUpdate(JSON.parse(data));
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    $('live').classList.remove('on');
    await new Promise(res => setTimeout(res, backoff));
    backoff = Math.min(30000, backoff * 2);
  }
}

function stopEvents() {
  if (events) events.abort();
  events = null;
  $('live').classList.remove('on');
}

let refreshing = false, again = false;
perf.refresh = () => onUpdate(perf.lastUpdate); // (what a live update does: the browser tests call it)

async function onUpdate(u) {
  perf.lastUpdate = u;
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    await refreshView();
  } catch (e) {
    console.warn(e);
  } finally {
    refreshing = false;
    if (again) { again = false; setTimeout(() => onUpdate(perf.lastUpdate), 250); }
  }
}

// ------------------------------------------------------------------ routing

function route() {
  if (!S.me) return;
  const h = location.hash || '#/overview';
  const m = h.match(/^#\/job\/(\d+)/);
  const view = m ? 'job' : (h.slice(2).split('?')[0] || 'overview');
  const known = ['overview', 'map', 'queue', 'usage', 'job'];
  S.view = known.includes(view) ? view : 'overview';
  S.jobId = m ? Number(m[1]) : 0;
  for (const v of known) $(`view-${v}`).classList.toggle('active', v === S.view);
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.view === S.view);
  enter(S.view).catch(e => { if (!(e instanceof Unauthorized)) console.error(e); });
}
window.addEventListener('hashchange', route);

async function enter(view) {
  if (view === 'overview') return overview();
  if (view === 'map') return machine(true);
  if (view === 'queue') return queue(true);
  if (view === 'usage') return usage();
  if (view === 'job') return job(true);
}

async function refreshView() {
  if (S.view === 'overview') return overview();
  if (S.view === 'map') return machine(false);
  if (S.view === 'queue') return queueTable?.refresh();
  if (S.view === 'usage') return usage();
  if (S.view === 'job') return job(false);
}

// ------------------------------------------------------------------ overview

async function overview() {
  const [s, h] = await Promise.all([api('/api/v1/dashboard/summary'), api('/api/v1/dashboard/history?hours=6')]);
  S.summary = s;
  $('cluster-name').textContent = s.cluster;
  const st = s.nodeStates, pct = (a, b) => (b ? Math.round(100 * a / b) : 0);
  const card = (k, v, sub) => el('div', { class: 'card' }, el('div', { class: 'k', text: k }), el('div', { class: 'v', text: v }),
    el('div', { class: 's', text: sub || '' }));
  const busyNodes = (st.allocated || 0) + (st.mixed || 0);
  $('cards').replaceChildren(
    card('GPUs in use', `${num(s.gpusAlloc)} / ${num(s.gpus)}`, `${pct(s.gpusAlloc, s.gpus)}%`),
    card('Cores in use', `${num(s.cpusAlloc)} / ${num(s.cpus)}`, `${pct(s.cpusAlloc, s.cpus)}%`),
    card('Nodes', num(s.nodes), Object.entries(st).map(([k, v]) => `${k} ${v}`).join(' · ')),
    card('Busy nodes', num(busyNodes), `${pct(busyNodes, s.nodes)}% of the machine`),
    card('Running jobs', num(s.running), ''),
    card('Pending jobs', num(s.pending), ''));
  await charts(h);
}

async function charts(h) {
  S.echarts ??= await import('/dashboard/vendor/echarts.js');
  const ec = S.echarts;
  if (!S.charts) {
    S.charts = { util: ec.init($('chart-util')), queue: ec.init($('chart-queue')) };
    window.addEventListener('resize', () => { S.charts.util.resize(); S.charts.queue.resize(); });
  }
  const t = h.time;
  const series = (name, vals, f) => ({ name, type: 'line', showSymbol: false, data: t.map((x, i) => [x, f(vals[i])]) });
  const base = { animation: false, tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'time' } };
  S.charts.util.setOption({ ...base, yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [series('GPUs', h.gpusAlloc, v => h.gpus ? +(100 * v / h.gpus).toFixed(1) : 0),
      series('Cores', h.coresAlloc, v => h.cores ? +(100 * v / h.cores).toFixed(1) : 0)] }, true);
  S.charts.queue.setOption({ ...base, yAxis: { type: 'value', min: 0 },
    series: [series('Pending', h.pending, v => v), series('Running', h.running, v => v)] }, true);
  perf.marks.charts ??= performance.now();
}

// ------------------------------------------------------------------ machine map

let machineMap = null;

async function machine(entering) {
  if (!machineMap) {
    machineMap = new MachineMap($('map-canvas'), $('map-scroll'), $('map-tip'), $('node-panel'), api, id => { location.hash = `#/job/${id}`; });
    $('map-legend').innerHTML = legend();
    $('map-find').addEventListener('input', e => machineMap.find(e.target.value.trim()));
    perf.map = machineMap;
  }
  const t0 = performance.now();
  const d = await api('/api/v1/dashboard/map');
  const t1 = performance.now();
  $('cluster-name').textContent = d.cluster;
  machineMap.setData(d);
  const find = $('map-find').value.trim();
  if (find) machineMap.find(find);
  const t2 = performance.now();
  if (!perf.marks.map) perf.marks.map = { fetched: t1, drawn: t2, fetchMs: t1 - t0, drawMs: t2 - t1, nodes: d.name.length };
  if (entering) perf.marks.mapEntered = t2;
}

// ------------------------------------------------------------------ queue

let queueTable = null;

function queueParams() {
  return { state: $('q-state').value, sort: $('q-sort').value, desc: $('q-desc').checked, mine: $('q-mine').checked, q: $('q-text').value.trim() };
}

async function queue(entering) {
  if (!queueTable) {
    queueTable = new QueueTable($('q-scroll'), $('q-spacer'), $('q-head'), $('q-total'), api, queueParams);
    let timer = 0;
    const again = () => { clearTimeout(timer); timer = setTimeout(() => queueTable.reset(), 200); };
    for (const id of ['q-state', 'q-sort', 'q-desc', 'q-mine']) $(id).addEventListener('change', again);
    $('q-text').addEventListener('input', again);
  }
  if (entering) await queueTable.reset(); else await queueTable.refresh();
  perf.marks.queue ??= performance.now();
}

// ------------------------------------------------------------------ usage

async function usage() {
  const days = $('u-days').value;
  const r = await api(`/api/v1/dashboard/usage?days=${days}`);
  $('u-note').textContent = r.onlyUser ? `your jobs only (this site keeps other users' data private)` : '';
  const h = (t, cls) => el('th', { class: cls || '', text: t });
  const d = (t, cls) => el('td', { class: cls || '', text: t });
  const rows = r.accounts.map(a => el('tr', { 'data-account': a.account }, d(a.account), d(num(a.jobsRunning), 'num'), d(num(a.jobsFinished), 'num'),
    d(num(a.gpuHoursRunning, 1), 'num'), d(num(a.gpuHoursFinished, 1), 'num'), d(num(a.gpuHoursRunning + a.gpuHoursFinished, 1), 'num'),
    d(num(a.coreHoursRunning + a.coreHoursFinished, 1), 'num'), d(num(a.energyKwh, 1), 'num'),
    d(a.budgetHours == null ? 'no budget set' : `${num(a.budgetHours)} billed h, ${num(a.budgetUsedPercent, 1)}% used this period`)));
  $('usage-table').replaceChildren(el('thead', {}, el('tr', {}, h('Account'), h('Running', 'num'), h('Finished', 'num'), h('GPU-h running', 'num'),
    h('GPU-h finished', 'num'), h('GPU-h total', 'num'), h('Core-h total', 'num'), h('Energy kWh', 'num'), h('Budget'))),
  el('tbody', {}, ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '9', class: 'note', text: 'no usage in this window' }))])));
  $('u-note').textContent += ` ${num(r.energyKwh, 1)} kWh charged to finished runs in this window.`;
}
$('u-days').addEventListener('change', () => usage());

// ------------------------------------------------------------------ job page

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY']);
// the output being followed; `reading` is the one request for it in flight (its answer is dropped once another
// request has taken over: two answers for the same offset would show the same text twice)
const tail = { job: 0, stream: 'stdout', next: -1, timer: 0, final: false, finalRead: false, reading: null };

async function job(entering) {
  const id = S.jobId;
  let r;
  try {
    r = await api(`/api/v1/dashboard/jobs/${id}`);
  } catch (e) {
    if (e instanceof Unauthorized) throw e;
    $('job-head').replaceChildren(el('h1', { text: `Job ${id}` }), el('span', { class: 'error', text: e.message }));
    for (const x of ['job-request', 'job-alloc', 'job-timeline', 'job-events', 'job-output']) $(x).replaceChildren();
    $('job-output-note').textContent = '';
    return;
  }
  const j = r.job;
  $('job-head').replaceChildren(el('h1', { id: 'job-title', text: `Job ${j.id} — ${j.name}` }), stateBadge(j.state),
    el('span', { class: 'note', text: `${j.user} · ${j.account || 'no account'} · ${j.partition}${j.state === 'PENDING' ? ' · ' + j.reason : ''}` }));
  const kv = pairs => el('div', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [el('div', { class: 'k', text: k }), el('div', { class: 'v', text: String(v) })]));
  const req = r.request || {};
  const reqPairs = [['nodes', j.nodesRequested], ['CPUs', j.cpus], ['GPUs', j.gpus], ['time limit', duration(j.timeLimit)],
    ['QOS', j.qos], ['submitted', time(j.submitTime)], ['work dir', j.workDir]];
  if (j.state === 'PENDING') reqPairs.push(['predicted start', j.predictedStart ? `${time(j.predictedStart)} (${relative(j.predictedStart)})` : 'unknown']);
  if (j.dependency) reqPairs.push(['dependency', j.dependency]);
  for (const k of ['wrap', 'script']) if (req[k]) reqPairs.push([k, req[k]]);
  $('job-request').replaceChildren(kv(reqPairs));
  const alloc = r.allocation || [];
  $('job-alloc').replaceChildren(alloc.length ? el('table', { class: 'table' },
    el('thead', {}, el('tr', {}, ...['Node', 'Tasks', 'CPUs', 'Cores', 'GPUs', 'Memory'].map(t => el('th', { text: t })))),
    el('tbody', {}, ...alloc.map(a => el('tr', {}, el('td', {}, el('a', { href: '#/map', text: a.name, onclick: () => { $('map-find').value = String(j.id); } })),
      el('td', { text: String(a.tasks) }), el('td', { text: String(a.cpus) }), el('td', { text: (a.cores || []).join(',') }),
      el('td', { text: (a.gpus || []).join(',') }), el('td', { text: `${num(a.mem)} MB` })))))
    : el('p', { class: 'note', text: j.state === 'PENDING' ? `not allocated yet${j.schedNodes ? ' (expected on ' + j.schedNodes + ')' : ''}` : 'no allocation' }));
  timeline(j);
  $('job-events').replaceChildren(el('tbody', {}, ...r.events.map(e => el('tr', {}, el('td', { text: time(e.time) }), el('td', {}, stateBadge(e.state)),
    el('td', { text: e.detail }))))) ;
  const stream = $('job-stream').value;
  let restart = entering;
  if (entering || tail.job !== j.id || tail.stream !== stream) {
    clearTimeout(tail.timer);
    Object.assign(tail, { job: j.id, stream, next: -1, final: false, finalRead: false, reading: null });
    $('job-output').textContent = '';
    restart = true;
  }
  tail.final = FINAL.has(j.state);
  if (!r.details) {
    $('job-output-note').textContent = "Only the job's owner sees its output.";
    return;
  }
  if (restart || (!tail.timer && !tail.reading)) pollOutput();
}
$('job-stream').addEventListener('change', () => job(true));

function timeline(j) {
  const now = Date.now() / 1000;
  const start = j.startTime || 0, end = j.endTime || (start ? now : 0);
  const waitEnd = start || (j.endTime || now);
  const total = Math.max(1, (end || waitEnd) - j.submitTime);
  const seg = (cls, a, b, label) => el('div', { class: `seg ${cls}`, style: `left:${100 * (a - j.submitTime) / total}%;width:${Math.max(0.5, 100 * (b - a) / total)}%`, text: label });
  const parts = [seg('wait', j.submitTime, waitEnd, `waited ${duration(waitEnd - j.submitTime)}`)];
  if (start) parts.push(seg('run', start, end, `${j.endTime ? 'ran' : 'running'} ${duration(end - start)}`));
  $('job-timeline').replaceChildren(...parts);
}

async function pollOutput() {
  clearTimeout(tail.timer);
  tail.timer = 0;
  if (S.view !== 'job' || !tail.job) return;
  const me = {};
  tail.reading = me;
  try {
    const c = await api(`/api/v1/dashboard/jobs/${tail.job}/output?stream=${tail.stream}&offset=${tail.next}`);
    if (tail.reading !== me) return; // another job, stream or request took over: this answer is stale
    tail.reading = null;
    if (!c.available) {
      $('job-output-note').textContent = `${c.path}: ${c.why}`;
    } else {
      $('job-output-note').textContent = `${c.path} (${num(c.size)} bytes)${tail.final ? '' : ' — following'}`;
      if (c.text) {
        const out = $('job-output');
        const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
        out.textContent += c.text;
        if (out.textContent.length > 512 * 1024) out.textContent = out.textContent.slice(-256 * 1024);
        if (atEnd) out.scrollTop = out.scrollHeight;
      }
      tail.next = c.next;
      if (c.next < c.size) { tail.timer = setTimeout(pollOutput, 50); return; }
    }
  } catch (e) {
    if (tail.reading !== me) return;
    tail.reading = null;
    if (e instanceof Unauthorized) return;
    $('job-output-note').textContent = e.message;
  }
  if (!tail.final) tail.timer = setTimeout(pollOutput, 1500);
  else if (!tail.finalRead) { tail.finalRead = true; tail.timer = setTimeout(pollOutput, 1500); }
}

// ------------------------------------------------------------------ start

if (S.token) start(); else showLogin();
