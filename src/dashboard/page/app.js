// The dashboard's live state: one EventSource on /api/events (`board` and `details` events),
// reconnecting by itself when the server goes away; the actions, sent with the token from this
// page's address as `Authorization: Bearer`.
(function () {
  'use strict';
  const AV = (globalThis.agentvisorDashboard ??= {});
  const token = new URLSearchParams(location.search).get('token') || '';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const state = { board: { agents: {}, locks: [], history: [], conflicts: [], pending_messages: {} }, details: null, offsetMs: 0, sent: [], connected: false };

  /** The store's clock, as far as the last board tells it. */
  AV.now = (s) => Date.now() + s.offsetMs;

  function render() {
    AV.renderAgents(state, actions);
    AV.renderLocks(state, actions);
    AV.renderWaiters(state);
    AV.renderConflicts(state);
    AV.renderMessages(state);
    AV.renderTimeline(state);
    AV.tick(state);
    const agents = Object.values(state.board.agents || {});
    const running = agents.filter((a) => a.status === 'running').length;
    const waiting = agents.filter((a) => a.status === 'waiting').length;
    document.getElementById('summary').textContent =
      `${running} running · ${waiting} waiting · ${(state.board.locks || []).length} locks` + (state.board.scope ? ` · scope ${state.board.scope}` : '');
    document.getElementById('run-note').textContent = state.details && state.details.run
      ? 'A run is attached: Stop and Restart act on its agents.'
      : 'No run is attached (agentvisor dashboard): Stop and Restart need agentvisor run --dashboard.';
  }

  function setConnection(kind, text) {
    const el = document.getElementById('connection');
    el.dataset.state = kind;
    el.textContent = text;
  }

  let notice;
  function say(text, kind = 'info') {
    const el = document.getElementById('notice');
    el.textContent = text;
    el.dataset.kind = kind;
    el.hidden = false;
    clearTimeout(notice);
    notice = setTimeout(() => (el.hidden = true), kind === 'error' ? 12_000 : 5_000);
  }

  // ---------------------------------------------------------------- the live stream
  let source = null;
  function connect() {
    source = new EventSource(`/api/events${query}`);
    source.addEventListener('open', () => setConnection('live', 'live'));
    source.addEventListener('board', (event) => {
      const board = JSON.parse(event.data);
      const serverNow = Date.parse(board.now || board.updated_at);
      if (Number.isFinite(serverNow)) state.offsetMs = serverNow - Date.now();
      state.board = board;
      render();
    });
    source.addEventListener('details', (event) => {
      state.details = JSON.parse(event.data);
      render();
    });
    source.addEventListener('error', () => {
      setConnection('reconnecting', 'reconnecting…');
      // EventSource retries by itself unless the answer was final (an error status): then so do we.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1_000);
      }
    });
  }

  // ---------------------------------------------------------------- actions
  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body || {}),
      });
    } catch (error) {
      say(`Not sent: the dashboard server is not answering (${error.message}).`, 'error');
      return null;
    }
    const answer = await response.json().catch(() => ({}));
    if (response.ok) return answer;
    if (response.status === 401) {
      say(token ? 'Refused (401): this page\'s token is not the server\'s; it changes at every start: open the URL the server printed.' : 'Refused (401): this page was opened without its token; open the URL the server printed (…/?token=…).', 'error');
    } else say(`Refused (${response.status}): ${answer.error || response.statusText}`, 'error');
    return null;
  }

  const actions = {
    compose(id) {
      document.getElementById('send-to').value = id;
      document.getElementById('send-message').focus();
    },
    async release(lock) {
      const ok = confirm(`Force-release ${lock.file_path}, held by ${lock.agent_id}?\n\nIt is recorded as "forced". If it is one of the agent's declared locks, its supervisor stops the agent (it lost its lease).`);
      if (!ok) return;
      const answer = await post('/api/locks/release', { agent_id: lock.agent_id, file_path: lock.file_path });
      if (answer) say(`Released ${lock.file_path} (held by ${lock.agent_id}).`);
    },
    async stop(id) {
      if (!confirm(`Stop ${id}? Its input is closed, then SIGTERM, then SIGKILL after the grace period.`)) return;
      if (await post(`/api/agents/${encodeURIComponent(id)}/stop`)) say(`Stopping ${id}.`);
    },
    async restart(id) {
      if (await post(`/api/agents/${encodeURIComponent(id)}/restart`)) say(`Restarting ${id}; its locks stay held.`);
    },
  };

  document.getElementById('send').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { to: form.to.value, type: form.type.value, message: form.message.value };
    const answer = await post('/api/messages', body);
    if (!answer) return;
    state.sent.push(...(answer.sent || []));
    form.message.value = '';
    say(`Sent ${body.type} to ${(answer.sent || []).map((m) => m.to).join(', ') || 'nobody'}.`);
    render();
  });

  setInterval(() => AV.tick(state), 250);
  setInterval(() => AV.renderTimeline(state), 500);
  render();
  connect();
})();
