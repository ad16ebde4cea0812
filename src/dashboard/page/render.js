// The dashboard's sections drawn from the board record: every value goes in as text, never as HTML.
// Rows are kept by key and rebuilt only when what they show changed, so a button is not replaced
// under the pointer; ages and lease bars tick in place (app.js calls tick()).
(function () {
  'use strict';
  const AV = (globalThis.agentvisorDashboard ??= {});

  /** An element with attributes (on* as listeners) and children (strings become text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false || child === '') continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const two = (n) => String(n).padStart(2, '0');
  function clock(iso) {
    const t = iso ? new Date(iso) : null;
    if (!t || Number.isNaN(t.getTime())) return '-';
    return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
  }
  function duration(ms) {
    if (!Number.isFinite(ms)) return '-';
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
    return `${Math.floor(s / 3600)}h ${two(Math.floor((s % 3600) / 60))}m`;
  }
  /** "12:03:04 · 5m 02s ago", the age kept fresh by tick(). */
  function since(iso) {
    if (!iso) return '-';
    return h('span', {}, clock(iso), ' ', h('span', { class: 'muted small', 'data-age': iso }, ''));
  }
  function compact(n) {
    if (!Number.isFinite(n)) return '0';
    return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
  }
  /** Output lines shown per agent (the server keeps a few more). */
  const OUTPUT_LINES = 4;
  const list = (value) => (Array.isArray(value) ? value : []);
  const obj = (value) => (value && typeof value === 'object' ? value : {});

  /** Keep `container`'s children in the order of `items`, reusing those whose signature is unchanged. */
  function syncChildren(container, items, key, signature, build) {
    const old = new Map();
    for (const el of [...container.children]) old.set(el.dataset.key, el);
    const next = [];
    for (const item of items) {
      const k = key(item);
      const sig = signature(item);
      let els = old.get(k);
      if (!els || els.dataset.sig !== sig) {
        els = build(item);
        els.dataset.key = k;
        els.dataset.sig = sig;
      }
      next.push(els);
    }
    container.replaceChildren(...next);
  }

  function setCount(id, n, emptyId) {
    document.getElementById(id).textContent = n ? `(${n})` : '';
    document.getElementById(emptyId).hidden = n > 0;
  }

  // ---------------------------------------------------------------- agents
  function waitsFor(agent, id, board) {
    const w = agent.waiting_for;
    if (w && w.lock_path) return `lock ${w.lock_path}${w.locked_by ? ` held by ${w.locked_by}` : ''}`;
    if (w && w.agent_id) return `agent ${w.agent_id}`;
    const waiter = list(board.waiters).find((x) => x.agent_id === id);
    if (waiter && list(waiter.blocked_by).length) return `${list(waiter.blocked_by).join(', ')}`;
    if (agent.status !== 'waiting') return '';
    // Without waiting_for (an older board): the last request of its that was refused says it.
    const refused = list(board.conflicts).filter((c) => c.agent_id === id && c.kind === 'refused').pop();
    return refused ? `${refused.lock_path || refused.file_path}${refused.locked_by ? ` held by ${refused.locked_by}` : ''}` : 'its turn';
  }
  function ended(agent) {
    const parts = [];
    if (agent.signal) parts.push(agent.signal);
    else if (agent.exit_code !== null && agent.exit_code !== undefined) parts.push(`exit ${agent.exit_code}`);
    // `exit` and `signal` say no more than the code or the signal shown already.
    if (agent.reason && agent.reason !== 'exit' && agent.reason !== 'signal') parts.push(String(agent.reason));
    if (agent.ended_at) parts.push(`ended ${clock(agent.ended_at)}`);
    return parts.join(' · ');
  }
  function usageText(usage) {
    if (!usage) return '';
    const cost = usage.cost_usd ? ` · $${usage.cost_usd.toFixed(usage.cost_usd < 1 ? 3 : 2)}` : '';
    return `${compact(usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens)} in · ${compact(usage.output_tokens)} out${cost}`;
  }

  AV.renderAgents = function (state, act) {
    const board = state.board;
    const agents = Object.entries(obj(board.agents)).sort(([a], [b]) => a.localeCompare(b));
    const output = obj(state.details && state.details.output);
    const runAgents = new Set(list(state.details && state.details.run && state.details.run.agents));
    const rows = [];
    for (const [id, agent] of agents) {
      rows.push({ kind: 'agent', id, agent, usage: output[id] && output[id].usage, inRun: runAgents.has(id) });
      const lines = output[id] ? list(output[id].lines) : [];
      if (lines.length) rows.push({ kind: 'output', id, lines });
    }
    syncChildren(
      document.querySelector('#agents tbody'),
      rows,
      (r) => `${r.kind}:${r.id}`,
      (r) => JSON.stringify([r, r.kind === 'agent' ? waitsFor(r.agent, r.id, board) : '']),
      (r) => (r.kind === 'agent' ? agentRow(r, board, act) : outputRow(r)),
    );
    setCount('n-agents', agents.length, 'agents-empty');
    document.getElementById('agents').dataset.usage = rows.some((r) => r.usage) ? 'some' : 'none';
  };

  function agentRow({ id, agent, usage, inRun }, board, act) {
    const status = String(agent.status || 'unknown');
    const live = ['running', 'waiting', 'restarting'].includes(status);
    const finished = ['exited', 'failed', 'stopped', 'skipped'].includes(status);
    return h('tr', { 'data-agent': id, 'data-status': status },
      h('td', { 'data-label': 'agent' }, h('strong', {}, id)),
      h('td', { 'data-label': 'status' }, h('span', { class: 'status', 'data-status': status }, status)),
      h('td', { class: 'mono', 'data-label': 'pid' }, agent.pid ?? '-'),
      h('td', { 'data-label': 'host' }, agent.host ?? '-'),
      h('td', { 'data-label': 'since' }, since(agent.started_at)),
      h('td', { 'data-label': 'restarts' }, agent.restarts ?? 0),
      h('td', { class: 'wrap', 'data-label': finished ? 'ended' : 'waits for' }, finished ? ended(agent) : waitsFor(agent, id, board)),
      h('td', { class: 'small usage', 'data-label': 'tokens' }, usageText(usage) || '-'),
      h('td', { class: 'buttons' }, h('div', { class: 'actions' },
        h('button', { type: 'button', title: `Write a message to ${id}`, onclick: () => act.compose(id) }, 'Message'),
        inRun && live ? h('button', { type: 'button', class: 'danger', 'data-action': 'stop', onclick: () => act.stop(id) }, 'Stop') : null,
        inRun && status === 'running' ? h('button', { type: 'button', 'data-action': 'restart', onclick: () => act.restart(id) }, 'Restart') : null,
      )),
    );
  }

  /** Its last output lines (the supervisor's own notes dimmed). */
  function outputRow({ id, lines }) {
    const shown = lines.slice(-OUTPUT_LINES).map((line, i) => [i ? '\n' : '', line.startsWith('--- agentvisor: ') ? h('span', { class: 'note' }, line.slice(16)) : line]);
    return h('tr', { class: 'output-row', 'data-output': id }, h('td', { colspan: 9 }, h('pre', { class: 'output' }, shown)));
  }

  // ---------------------------------------------------------------- locks
  AV.renderLocks = function (state, act) {
    const locks = list(state.board.locks).slice().sort((a, b) => String(a.file_path).localeCompare(String(b.file_path)) || a.token - b.token);
    syncChildren(
      document.querySelector('#locks tbody'),
      locks,
      (l) => `${l.file_path}|${l.agent_id}|${l.token}`,
      (l) => JSON.stringify([l.mode, l.timestamp, l.lease_ms, l.expires_at]),
      (l) => h('tr', { 'data-lock': l.file_path, 'data-holder': l.agent_id },
        h('td', { class: 'path', 'data-label': 'path' }, l.file_path),
        h('td', { 'data-label': 'holder' }, l.agent_id),
        h('td', { class: l.mode === 'shared' ? 'mode-shared' : '', 'data-label': 'mode' }, l.mode),
        h('td', { 'data-label': 'since' }, since(l.timestamp)),
        h('td', { class: 'mono', 'data-label': 'token' }, l.token),
        h('td', { 'data-label': 'lease left' }, h('div', { class: 'lease', 'data-lease': '' }, h('div', { class: 'bar' }, h('div', { class: 'fill' })), h('span', {}, ''))),
        h('td', { class: 'buttons' }, h('button', { type: 'button', class: 'danger', 'data-action': 'release', onclick: () => act.release(l) }, 'Release')),
      ),
    );
    setCount('n-locks', locks.length, 'locks-empty');
  };

  /** What is left of a lock's lease at `now` (ms), and of how much: lease_ms, else the 1-hour rule. */
  function leaseLeft(lock, now) {
    const lease = typeof lock.lease_ms === 'number' && lock.lease_ms > 0 ? lock.lease_ms : 3_600_000;
    let left = Date.parse(lock.heartbeat || lock.timestamp) + lease - now;
    if (lock.expires_at) left = Math.min(left, Date.parse(lock.expires_at) - now);
    return { left, lease, rule: !(typeof lock.lease_ms === 'number' && lock.lease_ms > 0) };
  }

  // ---------------------------------------------------------------- waiters, conflicts, messages
  AV.renderWaiters = function (state) {
    const board = state.board;
    const items = Array.isArray(board.waiters)
      ? board.waiters.map((w) => ({ id: w.agent_id, what: list(w.paths).join(', '), since: w.since, by: list(w.blocked_by).join(', ') }))
      : Object.entries(obj(board.agents)).filter(([, a]) => a.status === 'waiting').map(([id, a]) => ({ id, what: waitsFor(a, id, board), since: null, by: '' }));
    syncChildren(
      document.getElementById('waiters'),
      items,
      (w) => w.id,
      (w) => JSON.stringify(w),
      (w) => h('li', { 'data-waiter': w.id }, h('strong', {}, w.id), ' waits for ', h('code', {}, w.what || '?'),
        w.by ? [' behind ', h('strong', {}, w.by)] : null, w.since ? [' · since ', since(w.since)] : null),
    );
    setCount('n-waiters', items.length, 'waiters-empty');
  };

  AV.renderConflicts = function (state) {
    const conflicts = list(state.board.conflicts).slice(-20).reverse();
    syncChildren(
      document.querySelector('#conflicts tbody'),
      conflicts,
      (c) => JSON.stringify([c.at, c.agent_id, c.file_path, c.locked_by, c.kind]),
      () => '',
      (c) => h('tr', { 'data-conflict': c.file_path },
        h('td', {}, clock(c.at || c.since)),
        h('td', {}, c.kind),
        h('td', {}, c.agent_id || '-'),
        h('td', { class: 'path' }, c.file_path),
        h('td', {}, c.locked_by ? [c.locked_by, c.lock_path && c.lock_path !== c.file_path ? h('span', { class: 'muted small' }, ` as ${c.lock_path}`) : null] : '-'),
        h('td', { class: 'path' }, c.witness || '-'),
      ),
    );
    setCount('n-conflicts', list(state.board.conflicts).length, 'conflicts-empty');
  };

  AV.renderMessages = function (state) {
    const board = state.board;
    const byId = new Map();
    for (const m of [...list(board.messages), ...state.sent]) if (m && m.id) byId.set(m.id, m);
    const messages = [...byId.values()].sort((a, b) => String(b.timestamp).localeCompare(String(a.timestamp))).slice(0, 50);
    syncChildren(
      document.getElementById('messages'),
      messages,
      (m) => m.id,
      () => '',
      (m) => h('li', { 'data-message': m.id },
        h('div', { class: 'meta' }, h('span', { class: 'type', 'data-type': m.type }, m.type), `${m.from} → ${m.to} · ${clock(m.timestamp)}`),
        h('div', {}, m.message)),
    );
    const pending = Object.entries(obj(board.pending_messages)).filter(([, n]) => n > 0);
    const note = pending.length ? `pending: ${pending.map(([id, n]) => `${id} ${n}`).join(', ')}` : '';
    document.getElementById('n-messages').textContent = note ? `(${note})` : '';
    document.getElementById('messages-empty').hidden = messages.length > 0;
    const select = document.getElementById('send-to');
    const ids = ['*', ...Object.keys(obj(board.agents)).sort()];
    const current = select.value;
    if ([...select.options].map((o) => o.value).join('|') !== ids.join('|')) {
      select.replaceChildren(...ids.map((id) => h('option', { value: id }, id === '*' ? '* (everyone)' : id)));
      if (ids.includes(current)) select.value = current;
    }
  };

  /** Ages and lease bars, in place (every 250 ms). */
  AV.tick = function (state) {
    const now = AV.now(state);
    for (const el of document.querySelectorAll('[data-age]')) el.textContent = `${duration(now - Date.parse(el.dataset.age))} ago`;
    const locks = new Map(list(state.board.locks).map((l) => [`${l.file_path}|${l.agent_id}|${l.token}`, l]));
    for (const row of document.querySelectorAll('#locks tbody tr')) {
      const lock = locks.get(row.dataset.key);
      if (!lock) continue;
      const { left, lease, rule } = leaseLeft(lock, now);
      const fill = row.querySelector('.fill');
      const share = Math.max(0, Math.min(1, left / lease));
      fill.style.width = `${(share * 100).toFixed(1)}%`;
      fill.toggleAttribute('data-low', share < 0.34);
      row.querySelector('[data-lease] span').textContent = left <= 0 ? 'stale' : `${duration(left)}${rule ? ' (1 h rule)' : ''}`;
    }
    document.getElementById('clock').textContent = clock(new Date(now).toISOString());
  };

  AV.h = h;
  AV.fmt = { clock, duration };
})();
