// The first console page: sign in, show the caller and their region's children.
const $ = (id) => document.getElementById(id);
let csrf = null;

async function api(method, path, body) {
  const opts = { method, headers: { 'Accept': 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (csrf && method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, opts);
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  return { status: res.status, data };
}

function showLogin(message) {
  $('home').hidden = true;
  $('login').hidden = false;
  $('who').textContent = '';
  $('login-error').textContent = message || '';
  $('username').focus();
}

async function showHome(session) {
  csrf = session.csrf_token;
  const u = session.user;
  $('who').textContent = `${u.name}（${u.roles.join('、')}）`;
  $('login').hidden = true;
  $('home').hidden = false;
  const list = $('regions');
  list.replaceChildren();
  const region = await api('GET', `/api/v1/regions/${u.region}`);
  if (region.status !== 200) {
    $('region-title').textContent = '辖区';
    return;
  }
  $('region-title').textContent = `辖区：${region.data.name}`;
  const children = await api('GET', `/api/v1/regions?parent=${u.region}&limit=200`);
  const items = children.status === 200 ? children.data.items : [];
  if (items.length === 0) {
    const li = document.createElement('li');
    li.textContent = '没有下级区域。';
    list.append(li);
  }
  for (const r of items) {
    const li = document.createElement('li');
    li.textContent = `${r.name}（${r.code}）`;
    list.append(li);
  }
}

$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const res = await api('POST', '/api/v1/session', {
    username: $('username').value.trim(),
    password: $('password').value,
  });
  if (res.status === 200) {
    $('password').value = '';
    showHome(res.data);
  } else {
    showLogin(res.data && res.data.message ? res.data.message : '登录失败，请稍后重试。');
  }
});

$('logout').addEventListener('click', async () => {
  await api('DELETE', '/api/v1/session');
  csrf = null;
  showLogin('已退出登录。');
});

const current = await api('GET', '/api/v1/session');
if (current.status === 200) showHome(current.data);
else showLogin();
