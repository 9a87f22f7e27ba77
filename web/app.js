// facealert serve's page: plain JavaScript, no build step. Everything it
// shows comes from /ui/... (tools/serve/serve-web-api.c) with the session
// cookie; every change sends the session's CSRF token in X-CSRF-Token.
'use strict';

let csrf = '';

async function api (path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (options.method && options.method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, Object.assign({}, options,
    { headers, credentials: 'same-origin' }));
  if (response.status === 401) { location.reload(); throw new Error('logged out'); }
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function el (tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined)
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function when (epochSeconds) {
  if (!epochSeconds) return 'never';
  return new Date(epochSeconds * 1000).toLocaleString();
}

// ---- alerts ----------------------------------------------------------------

function alertCard (a) {
  const title = a.subject || (a.known ? (a.name || 'Known face') : 'Unknown face');
  const snapshot = a.frame || a.face
    ? el('img', { class: 'snapshot', alt: 'snapshot of ' + title, loading: 'lazy',
      src: '/ui/alerts/' + a.id + '/' + (a.frame ? 'frame' : 'face') + '.jpg' })
    : el('div', { class: 'meta' }, 'no snapshot');
  const card = el('li', { class: 'card alert', dataset: { id: a.id, camera: a.camera } },
    snapshot,
    el('div', { class: 'body' },
      el('h2', {}, title),
      el('div', { class: 'meta' }, a.camera + ' · ' + when(a.time) + ' · ' + a.state)));
  card.addEventListener('click', () => playClip(card, a));
  return card;
}

function playClip (card, a) {
  if (card.querySelector('video')) return;
  const video = el('video', { class: 'clip', controls: '', playsinline: '', muted: '',
    preload: 'auto', src: '/ui/alerts/' + a.id + '/clip.mp4' });
  video.muted = true;
  const img = card.querySelector('img.snapshot');
  if (img) img.replaceWith(video); else card.prepend(video);
  video.play().catch(() => {});
}

async function loadAlerts () {
  const camera = document.getElementById('alert-camera').value;
  const data = await api('/ui/alerts' + (camera ? '?camera=' + encodeURIComponent(camera) : ''));
  const list = document.getElementById('alert-list');
  list.replaceChildren(...data.alerts.map(alertCard));
  document.getElementById('alerts-empty').hidden = data.alerts.length > 0;
}

// ---- cameras ---------------------------------------------------------------

function cameraCard (c) {
  const status = c.flowing ? 'flowing' : (c.state || 'not flowing');
  const details = [ 'last frame ' + when(c.last_frame) ];
  if (c.dropped !== undefined) details.push(c.dropped + ' dropped frames');
  if (c.restarts) details.push(c.restarts + ' restarts');
  return el('li', { class: 'card camera', dataset: { name: c.name } },
    c.recorded ? el('img', { class: 'latest', alt: 'latest frame of ' + c.name,
      loading: 'lazy', src: '/ui/cameras/' + encodeURIComponent(c.name) + '/latest.jpg?' +
        Date.now() }) : null,
    el('div', { class: 'body' },
      el('h2', {}, el('span', { class: 'dot' + (c.flowing ? ' on' : '') }), c.name),
      el('div', { class: 'meta status' }, status),
      el('div', { class: 'meta' }, details.join(' · '))));
}

async function loadCameras () {
  const data = await api('/ui/cameras');
  document.getElementById('camera-list').replaceChildren(...data.cameras.map(cameraCard));
  const select = document.getElementById('alert-camera');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, 'all'),
    ...data.cameras.map(c => el('option', { value: c.name }, c.name)));
  select.value = chosen;
}

// ---- people ----------------------------------------------------------------

let collections = [];

function collectionId () {
  return document.getElementById('collection').value;
}

function personCard (collection, name, faces) {
  return el('li', { class: 'card person', dataset: { name } },
    el('div', { class: 'body' }, el('h2', {}, name),
      el('div', { class: 'meta' }, faces.length + (faces.length === 1 ? ' photo' : ' photos')),
      el('button', { type: 'button', class: 'remove-person',
        onclick: () => deletePerson(collection, name, faces) }, 'Remove ' + name)),
    el('div', { class: 'faces' }, ...faces.map(f => el('div', { class: 'face' },
      f.photo ? el('img', { alt: name, src: '/ui/faces/' + collection + '/' + f.face_id + '.jpg' })
        : el('div', { class: 'nophoto' }, 'enrolled elsewhere'),
      el('button', { type: 'button', title: 'delete this photo', dataset: { face: f.face_id },
        onclick: () => deleteFace(collection, f.face_id) }, '×')))));
}

async function loadPeople () {
  const data = await api('/ui/faces');
  collections = data.collections;
  const select = document.getElementById('collection');
  const chosen = select.value;
  select.replaceChildren(...collections.map(c => el('option', { value: c.id }, c.id)));
  if (chosen && collections.some(c => c.id === chosen)) select.value = chosen;
  renderPeople();
}

function renderPeople () {
  const collection = collections.find(c => c.id === collectionId());
  const byName = new Map();
  for (const face of collection ? collection.faces : []) {
    if (!byName.has(face.name)) byName.set(face.name, []);
    byName.get(face.name).push(face);
  }
  document.getElementById('people-list').replaceChildren(
    ...[...byName.keys()].sort().map(name => personCard(collection.id, name, byName.get(name))));
}

function say (text) {
  document.getElementById('people-status').textContent = text;
}

async function addFace (event) {
  event.preventDefault();
  const name = document.getElementById('person-name').value.trim();
  const file = document.getElementById('person-photo').files[0];
  if (!collectionId()) { say('Make a collection first.'); return; }
  try {
    const result = await api('/ui/faces?collection=' + encodeURIComponent(collectionId()) +
      '&name=' + encodeURIComponent(name), { method: 'POST', body: file,
      headers: { 'Content-Type': 'application/octet-stream' } });
    if (result.FaceRecords.length > 0) say('Added a photo of ' + name + '.');
    else say('No face good enough in that photo' + (result.UnindexedFaces.length
      ? ' (' + result.UnindexedFaces[0].Reasons.join(', ') + ')' : '') + '.');
    document.getElementById('add-face').reset();
    await loadPeople();
  } catch (error) { say(error.message); }
}

async function deleteFace (collection, faceId) {
  if (!confirm('Delete this photo from the collection?')) return;
  try {
    await api('/ui/faces/' + collection + '/' + faceId, { method: 'DELETE' });
    await loadPeople();
  } catch (error) { say(error.message); }
}

async function deletePerson (collection, name, faces) {
  if (!confirm('Remove ' + name + ' and all their photos from ' + collection + '?')) return;
  try {
    for (const face of faces)
      await api('/ui/faces/' + collection + '/' + face.face_id, { method: 'DELETE' });
    say('Removed ' + name + '.');
    await loadPeople();
  } catch (error) { say(error.message); }
}

async function newCollection () {
  const id = prompt('Name of the new collection', collections.length ? '' : 'home');
  if (!id) return;
  try {
    await api('/ui/collections?id=' + encodeURIComponent(id), { method: 'POST' });
    document.getElementById('collection').value = id;
    await loadPeople();
    document.getElementById('collection').value = id;
    renderPeople();
  } catch (error) { say(error.message); }
}

// ---- sightings --------------------------------------------------------------

function sightingCard (s, similarity) {
  const known = s.Decision === 'known';
  const nameInput = el('input', { class: 'name', placeholder: 'Who is this?',
    pattern: '[A-Za-z0-9_.\\-:]+', 'aria-label': 'name' });
  const card = el('li', { class: 'card sighting', dataset: { id: String(s.SightingId) } },
    el('img', { class: 'crop', alt: 'face seen on ' + s.Camera, loading: 'lazy',
      src: '/ui/sightings/' + s.SightingId + '/face.jpg' }),
    el('div', { class: 'body' },
      el('h2', {}, known ? s.Name : 'Unknown'),
      el('div', { class: 'meta' }, s.Camera + ' · ' + when(s.FirstSeenTime) +
        (similarity !== undefined ? ' · ' + similarity.toFixed(0) + ' % like the photo'
          : known && s.Confirmed ? ' · confirmed'
          : known ? ' · ' + s.Similarity.toFixed(0) + ' %' : '')),
      el('div', { class: 'add' }, nameInput,
        el('button', { type: 'button', class: 'enrol', onclick: () => enrol([s.SightingId],
          nameInput.value.trim()) }, 'This is'),
        known ? el('button', { type: 'button', class: 'reject',
          onclick: () => reject(s.SightingId, s.Name) }, 'Not ' + s.Name) : null,
        el('button', { type: 'button', class: 'delete',
          onclick: () => deleteSighting(s.SightingId) }, 'Delete'))));
  if (known) card.dataset.name = s.Name;
  return card;
}

function groupCard (group) {
  const nameInput = el('input', { class: 'name', placeholder: 'All of them are…',
    'aria-label': 'name for the whole group' });
  const ids = group.sightings.map(s => s.SightingId);
  return el('li', { class: 'group' },
    el('h2', {}, 'Unknown person ' + group.index + ' · ' + ids.length +
      (ids.length === 1 ? ' sighting' : ' sightings')),
    ids.length > 1 ? el('div', { class: 'add' }, nameInput,
      el('button', { type: 'button', class: 'enrol-all',
        onclick: () => enrol(ids, nameInput.value.trim()) }, 'These are')) : null,
    el('ol', { class: 'cards' }, ...group.sightings.map(s => sightingCard(s))));
}

function sightingsSay (text) {
  document.getElementById('sightings-status').textContent = text;
}

async function loadSightings () {
  const data = await api('/ui/sightings');
  document.getElementById('sightings-tab').hidden = !data.available;
  if (!data.available) return;
  document.getElementById('sighting-groups').replaceChildren(...data.groups.map(groupCard));
  document.getElementById('sighting-known').replaceChildren(
    ...data.known.map(s => sightingCard(s)));
}

async function enrol (ids, name) {
  if (!name) { sightingsSay('Type the person\'s name first.'); return; }
  try {
    const collection = collectionId() || undefined;
    const result = await api('/ui/sightings/enrol', { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ids, name, collection }) });
    sightingsSay('Enrolled as ' + result.name + ' in ' + result.collection + '.');
    await loadSightings();
  } catch (error) { sightingsSay(error.message); }
}

async function reject (id, name) {
  try {
    await api('/ui/sightings/reject', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, name }) });
    sightingsSay('Noted: that was not ' + name + '.');
    await loadSightings();
  } catch (error) { sightingsSay(error.message); }
}

async function deleteSighting (id) {
  if (!confirm('Delete this sighting?')) return;
  try {
    await api('/ui/sightings/' + id, { method: 'DELETE' });
    await loadSightings();
  } catch (error) { sightingsSay(error.message); }
}

async function searchSightings () {
  const file = document.getElementById('sighting-photo').files[0];
  if (!file) return;
  try {
    const result = await api('/ui/sightings/search', { method: 'POST', body: file,
      headers: { 'Content-Type': 'application/octet-stream' } });
    document.getElementById('sighting-matches').replaceChildren(
      ...result.matches.map(m => sightingCard(m.sighting, m.similarity)));
    sightingsSay(result.matches.length ? result.matches.length + ' past sightings of that face.'
      : 'Nobody like that was seen.');
  } catch (error) { sightingsSay(error.message); }
}

// ---- tabs ------------------------------------------------------------------

const loaders = { alerts: loadAlerts, cameras: loadCameras, people: loadPeople,
  sightings: loadSightings };

function show (tab) {
  if (!document.getElementById(tab)) tab = 'alerts';
  for (const section of document.querySelectorAll('section.tab'))
    section.hidden = section.id !== tab;
  for (const link of document.querySelectorAll('nav a'))
    link.classList.toggle('active', link.dataset.tab === tab);
  const load = loaders[tab];
  if (!load) return;
  // data-loaded says this visit's list is in place (a test waits for it
  // rather than racing the load that replaces the cards).
  const section = document.getElementById(tab);
  delete section.dataset.loaded;
  load().catch(error => console.error(error))
    .finally(() => { section.dataset.loaded = 'true'; });
}

async function start () {
  const session = await api('/ui/session');
  csrf = session.csrf;
  document.getElementById('logout-csrf').value = csrf;
  document.getElementById('alert-camera').addEventListener('change', loadAlerts);
  document.getElementById('collection').addEventListener('change', renderPeople);
  document.getElementById('add-face').addEventListener('submit', addFace);
  document.getElementById('new-collection').addEventListener('click', newCollection);
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  document.getElementById('sighting-photo').addEventListener('change', searchSightings);
  await loadCameras().catch(() => {});
  await loadPeople().catch(() => {});
  await loadSightings().catch(() => {});
  show(location.hash.slice(1) || 'alerts');
  document.body.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', start);
