// The timeline of lock holds: one row per agent, a bar per hold (from `locked` to its release,
// forced release, expiry or reclaim in the history), hatched where the agent waited in line (from
// its first refused request to its next grant), red ticks for files changed under no ownership.
(function () {
  'use strict';
  const AV = (globalThis.agentvisorDashboard ??= {});
  const ENDS = new Set(['released', 'forced', 'expired', 'reclaimed']);
  const list = (value) => (Array.isArray(value) ? value : []);

  function holdsOf(history, board, now) {
    const open = new Map();
    const holds = [];
    const current = new Map(list(board.locks).map((l) => [`${l.agent_id}|${l.file_path}`, l]));
    for (const e of history) {
      const key = `${e.agent_id}|${e.file_path}`;
      const at = Date.parse(e.at);
      if (!Number.isFinite(at)) continue;
      if (e.event === 'locked') {
        open.set(key, { agent: e.agent_id, path: e.file_path, from: at, to: null, end: null, token: e.token });
      } else if (ENDS.has(e.event) && open.has(key)) {
        const hold = open.get(key);
        open.delete(key);
        holds.push({ ...hold, to: at, end: e.event });
      }
    }
    for (const [key, hold] of open) {
      const lock = current.get(key);
      holds.push({ ...hold, to: now, end: lock ? 'held' : 'unknown', mode: lock ? lock.mode : undefined });
    }
    return holds;
  }

  function waitsOf(history, board, now) {
    const waits = [];
    const grants = history.filter((e) => e.event === 'locked');
    const refused = list(board.conflicts).filter((c) => c.kind === 'refused' && c.agent_id && (c.at || c.since)).sort((a, b) => String(a.at).localeCompare(String(b.at)));
    const lastEnd = new Map();
    for (const c of refused) {
      const from = Date.parse(c.at || c.since);
      if (!Number.isFinite(from) || (lastEnd.get(c.agent_id) ?? -Infinity) >= from) continue;
      const grant = grants.find((g) => g.agent_id === c.agent_id && Date.parse(g.at) >= from);
      const agent = (board.agents || {})[c.agent_id];
      const to = grant ? Date.parse(grant.at) : agent && agent.status === 'waiting' ? now : from;
      waits.push({ agent: c.agent_id, from, to, what: `${c.file_path}${c.locked_by ? ` (held by ${c.locked_by})` : ''}` });
      lastEnd.set(c.agent_id, to);
    }
    for (const w of list(board.waiters)) {
      const from = Date.parse(w.since);
      if (Number.isFinite(from) && !waits.some((x) => x.agent === w.agent_id && x.to >= now)) {
        waits.push({ agent: w.agent_id, from, to: now, what: list(w.paths).join(', ') });
      }
    }
    return waits;
  }

  AV.renderTimeline = function (state) {
    const { h, fmt } = AV;
    const board = state.board;
    const now = AV.now(state);
    const source = state.details && list(state.details.timeline).length ? state.details.timeline : list(board.history);
    const history = source.slice().sort((a, b) => String(a.at).localeCompare(String(b.at)));
    const holds = holdsOf(history, board, now);
    const waits = waitsOf(history, board, now);
    const marks = history.filter((e) => e.event === 'modified');
    const container = document.getElementById('timeline');
    document.getElementById('timeline-empty').hidden = holds.length + waits.length > 0;
    if (holds.length + waits.length === 0) {
      container.replaceChildren();
      return;
    }
    const start = Math.min(...holds.map((x) => x.from), ...waits.map((x) => x.from));
    // Up to now, with a little room; never less than a few seconds wide.
    const end = Math.max(now + Math.max(250, (now - start) * 0.03), start + 3_000);
    const pct = (t) => `${(((t - start) / (end - start)) * 100).toFixed(3)}%`;
    const width = (from, to) => `${(((Math.max(to, from) - from) / (end - start)) * 100).toFixed(3)}%`;
    const agents = [...new Set([...holds, ...waits].sort((a, b) => a.from - b.from).map((x) => x.agent))];
    const rows = [];
    for (const agent of agents) {
      const track = h('div', { class: 'track', 'data-timeline': agent });
      for (const w of waits.filter((x) => x.agent === agent)) {
        const el = h('div', { class: 'wait', title: `${agent} waited for ${w.what}: ${fmt.clock(new Date(w.from).toISOString())}, ${fmt.duration(w.to - w.from)}` });
        el.style.left = pct(w.from);
        el.style.width = width(w.from, w.to);
        track.append(el);
      }
      for (const hold of holds.filter((x) => x.agent === agent)) {
        const el = h('div', {
          class: 'hold', 'data-mode': hold.mode, 'data-end': hold.end,
          title: `${hold.path}: ${fmt.clock(new Date(hold.from).toISOString())}, ${fmt.duration(hold.to - hold.from)} (${hold.end}${hold.token ? `, token ${hold.token}` : ''})`,
        });
        el.style.left = pct(hold.from);
        el.style.width = width(hold.from, hold.to);
        track.append(el);
      }
      for (const m of marks.filter((x) => x.agent_id === agent)) {
        const el = h('div', { class: 'mark', title: `${m.file_path} modified at ${fmt.clock(m.at)}` });
        el.style.left = pct(Date.parse(m.at));
        track.append(el);
      }
      rows.push(h('div', { class: 'who', title: agent }, agent), track);
    }
    const iso = (t) => fmt.clock(new Date(t).toISOString());
    rows.push(h('div', { class: 'axis' }, h('span', {}, iso(start)), h('span', {}, iso((start + end) / 2)), h('span', {}, 'now')));
    rows.push(h('div', { class: 'legend' },
      h('span', {}, h('i', { class: 'l-hold' }), 'held'), h('span', {}, h('i', { class: 'l-shared' }), 'held, shared'),
      h('span', {}, h('i', { class: 'l-forced' }), 'forced off, expired or reclaimed'), h('span', {}, h('i', { class: 'l-wait' }), 'waiting in line'),
      h('span', {}, h('i', { class: 'l-mark' }), 'file changed')));
    container.replaceChildren(...rows);
  };
})();
