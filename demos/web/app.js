// The call page: microphone -> 16 kHz PCM16 frames -> WebSocket; agent audio -> playback.
// Protocol: duplex_agent/protocol.py (one tag byte, then PCM16 or UTF-8 JSON). The page
// sends only AUDIO_IN (silence while muted, so the call is never closed as idle).
// No build step, no libraries: an ES module the server serves as is.

const TAG = { AUDIO_IN: 0x01, AUDIO_OUT: 0x02, TRANSCRIPT: 0x10, STATE: 0x11, THOUGHT: 0x12,
              EMOTION: 0x13, LATENCY: 0x14, FLUSH: 0x20, ERROR: 0x7f };
const FRAME_SAMPLES = 320;  // 20 ms at 16 kHz
const SVG_NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

const STATES = {
  idle: ["Not in a call", "Press “Start call” and allow the microphone. Headphones help."],
  connecting: ["Connecting", "Opening the microphone and calling the agent…"],
  listening: ["Listening", "Go ahead: speak whenever you like."],
  hearing: ["Hearing you", "Take your time; the agent waits for you to finish."],
  thinking: ["Thinking", "The agent is working out how you feel and what to say."],
  speaking: ["Speaking", "Just talk to interrupt: the agent stops and listens."],
};

// Rows of the emotion chart, pleasant at the top; unknown labels are added below.
const EMOTIONS = ["happy", "surprise", "neutral", "sad", "fear", "angry", "disgust"];
const EMOTION_COLORS = { happy: "#d39a1c", surprise: "#2a9486", neutral: "#8c8279",
                         sad: "#4c7bb0", fear: "#8a63b5", angry: "#c4493f",
                         disgust: "#6e8b2c" };

const ERRORS = {
  full: ["The agent is busy",
         "All call lines are in use. Try again in a minute."],
  idle: ["Call ended: no audio",
         "The agent heard no audio for too long and hung up. Check the microphone " +
         "(muting is fine: a muted call keeps sending silence)."],
  rate: ["Call ended: audio arrived too fast",
         "The page sent audio faster than real time, for example after the tab was " +
         "paused in the background. Start the call again."],
  malformed: ["Call ended: unexpected message",
              "The page and the server disagree about the protocol. Reload the page."],
  overloaded: ["The agent fell behind",
               "This machine is too busy to keep up with the call. Try again in a moment."],
  internal: ["The agent ran into a problem",
             "Something failed on the server. Start the call again."],
};
const CLOSE_CODES = { 1013: "full", 1001: "idle", 1008: "malformed", 1011: "internal" };

// Read by the browser test (window.callStats, also as window.__stats).
const stats = {
  connected: false, audioChunks: 0, played: 0, queued: 0, playing: false,
  flushes: 0, playbackFlushes: 0, flushLog: [], stoppedAfterFlush: 0,
  partials: 0, settled: 0, finals: [], agent: [], cut: 0, thoughts: [], states: [], latencies: [],
  level: 0, levelMax: 0, framesSent: 0, silentFrames: 0, muted: false, muteLog: [],
  deviceId: null,
  error: null, errorCode: null,
};
window.callStats = stats;
window.__stats = stats;

let call = null;        // the open call: { ctx, ws, stream, source, capture, playback, ... }
let muted = false;
let meterLevel = 0;     // 0..1, smoothed
let pendingUser = null; // the user's bubble while their words are still interim
let agentBubble = null; // the agent's bubble while it thinks or speaks
let pendingLatency = null;
let timerId = null;
let callStarted = 0;
let awaitingStop = [];  // acknowledged flushes (flushLog entries) waiting for a quiet report
let playedAtReply = null;  // samples played when the current reply started
const flushing = [];       // playedAtReply of each flush the worklet has yet to acknowledge
const chart = { points: [], rows: [...EMOTIONS] };

// ---- status, state and errors --------------------------------------------------------

function status(text) {
  $("message").textContent = text;
}

function setState(state) {
  const [label, hint] = STATES[state] || [state, ""];
  document.body.dataset.state = state;
  $("state-label").textContent = label;
  $("state-hint").textContent = hint;
  if (state !== "idle" && state !== "connecting" && stats.states.at(-1) !== state)
    stats.states.push(state);
  document.title = state === "idle" ? "duplex-agent · voice playground"
                                    : `${label} · duplex-agent`;
  if (state === "hearing" || state === "listening") dropUnspokenAgentBubble();
  if (state === "thinking") ensureAgentBubble();
  if (state === "speaking") {
    const bubble = ensureAgentBubble();
    bubble.classList.add("speaking");
    if (!bubble.dataset.spoke) playedAtReply = stats.played;
    bubble.dataset.spoke = "1";
    setBubbleText(bubble, "");
  }
}

function showError(code, serverText = "") {  // an ERROR from the server, or a close code
  const known = ERRORS[code];
  showProblem(known ? known[0] : "The call ended", known ? known[1] : serverText || String(code),
              code, known && serverText ? `Server said: ${serverText}` : "");
}

function showProblem(title, detail, code = "page", server = "") {
  $("error-title").textContent = title;
  $("error-detail").textContent = detail;
  $("error-server").textContent = server;
  $("error").hidden = false;
  document.body.classList.add("has-error");
  stats.error = `${title}: ${server || detail}`;
  stats.errorCode = code;
}

function clearError() {
  $("error").hidden = true;
  document.body.classList.remove("has-error");
  stats.error = null;
  stats.errorCode = null;
}

class Problem extends Error {
  constructor(title, detail, code) {
    super(detail);
    this.title = title;
    this.code = code;
  }
}

function micProblem(err) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    return new Problem("No microphone here",
      "This browser gives no microphone here: open the page over https or on localhost.", "mic");
  switch (err && err.name) {
    case "NotAllowedError": case "SecurityError":
      return new Problem("Microphone blocked", "Microphone permission was denied. Allow the " +
        "microphone for this site (the icon in the address bar), then start again.", "mic");
    case "NotFoundError": case "OverconstrainedError":
      return new Problem("No microphone found",
        "No microphone found. Connect or enable one, then start again.", "mic");
    case "NotReadableError": case "AbortError":
      return new Problem("Microphone busy",
        "The microphone is busy or unavailable (another app may be using it).", "mic");
    default:
      return new Problem("Microphone problem",
        `Could not open the microphone: ${err && err.message ? err.message : err}`, "mic");
  }
}

// ---- microphone choice -----------------------------------------------------------------

async function listMicrophones() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    return;
  }
  const select = $("mic");
  const wanted = select.value || localStorage.getItem("micId") || "";
  const inputs = devices.filter((d) => d.kind === "audioinput" && d.deviceId);
  const fallback = inputs.find((d) => d.deviceId === "default");
  select.replaceChildren(new Option(fallback && fallback.label ? fallback.label
                                                                : "System default", ""));
  inputs.filter((d) => d.deviceId !== "default" && d.deviceId !== "communications")
    .forEach((d, i) => select.append(new Option(d.label || `Microphone ${i + 1}`, d.deviceId)));
  select.value = [...select.options].some((o) => o.value === wanted) ? wanted : "";
}

function audioConstraints(deviceId) {
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true,
                  channelCount: 1 };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return { audio };
}

async function openMicrophone(deviceId) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw micProblem(null);
  try {
    return await navigator.mediaDevices.getUserMedia(audioConstraints(deviceId));
  } catch (err) {
    if (deviceId && (err.name === "OverconstrainedError" || err.name === "NotFoundError")) {
      status("The chosen microphone is not available; using the system default.");
      $("mic").value = "";
      return openMicrophone("");
    }
    throw micProblem(err);
  }
}

async function switchMicrophone() {
  const id = $("mic").value;
  localStorage.setItem("micId", id);
  if (!call) return;
  try {
    const stream = await openMicrophone(id);
    if (!call) return stream.getTracks().forEach((t) => t.stop());
    const source = call.ctx.createMediaStreamSource(stream);
    source.connect(call.capture);
    call.source.disconnect();
    call.stream.getTracks().forEach((t) => t.stop());
    Object.assign(call, { stream, source });
    noteDevice(stream);
    status(`Microphone switched to ${$("mic").selectedOptions[0].text}.`);
  } catch (err) {
    status(`Could not switch the microphone: ${err.message}`);
  }
}

function noteDevice(stream) {
  const track = stream.getAudioTracks()[0];
  stats.deviceId = track && track.getSettings ? track.getSettings().deviceId || null : null;
}

// ---- the call --------------------------------------------------------------------------

function callUrl() {
  const token = new URLSearchParams(location.search).get("token");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/call${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

async function openAudio(ctx, deviceId) {
  const stream = await openMicrophone(deviceId);
  await ctx.audioWorklet.addModule("capture-worklet.js");
  await ctx.audioWorklet.addModule("playback-worklet.js");
  const capture = new AudioWorkletNode(ctx, "capture-16k");
  const playback = new AudioWorkletNode(ctx, "playback-16k", { outputChannelCount: [2] });
  const sink = ctx.createGain();  // pulls the capture node without playing the microphone
  sink.gain.value = 0;
  const source = ctx.createMediaStreamSource(stream);
  source.connect(capture).connect(sink).connect(ctx.destination);
  playback.connect(ctx.destination);
  playback.port.onmessage = (e) => onPlayback(e.data);
  return { stream, source, capture, playback };
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Problem("Can’t reach the agent",
      `Cannot reach the agent server at ${location.host}. Is “duplex-agent serve” running?`,
      "connect"));
  });
}

async function startCall() {
  const ctx = new AudioContext({ latencyHint: "interactive" });  // inside the tap (phones)
  clearError();
  stats.deviceId = null;
  setState("connecting");
  $("call").disabled = true;
  status("Opening the microphone…");
  let audio = null;
  try {
    audio = await openAudio(ctx, $("mic").value || localStorage.getItem("micId") || "");
    noteDevice(audio.stream);
    listMicrophones();  // labels are readable once the microphone is allowed
    await ctx.resume();
    status("Calling the agent…");
    const ws = await connect(callUrl());
    call = { ctx, ws, ...audio };
    audio.capture.port.onmessage = (e) => onCapture(e.data);
    const current = () => call !== null && call.ws === ws;  // not a call hung up before
    ws.onmessage = (e) => { if (current()) onMessage(new Uint8Array(e.data)); };
    ws.onclose = (e) => { if (current()) onClose(e); };
    stats.connected = true;
    document.body.classList.add("in-call");
    $("call-label").textContent = "End call";
    $("call").setAttribute("aria-label", "End the call");
    $("mute").disabled = false;
    $("conn").textContent = "Connected";
    startTimer();
    setState("listening");
    status("In call: speak whenever you like, and interrupt whenever you like.");
  } catch (err) {
    if (audio && !call) audio.stream.getTracks().forEach((t) => t.stop());
    if (call) hangUp(); else { ctx.close(); setState("idle"); }
    if (err instanceof Problem) showProblem(err.title, err.message, err.code);
    else showProblem("Could not start the call", String(err && err.message ? err.message : err));
    status("Not in a call.");
  } finally {
    $("call").disabled = false;
  }
}

function hangUp() {
  if (!call) return;
  const { ctx, ws, stream } = call;
  call = null;
  stats.connected = false;
  if (ws.readyState <= WebSocket.OPEN) ws.close(1000, "bye");
  stream.getTracks().forEach((t) => t.stop());
  ctx.close();
  document.body.classList.remove("in-call");
  $("call-label").textContent = "Start call";
  $("call").removeAttribute("aria-label");
  setMuted(false);
  $("mute").disabled = true;
  $("conn").textContent = "Not connected";
  stopTimer();
  meterLevel = 0;
  drawMeter();
  dropUnspokenAgentBubble(true);
  if (pendingUser) settleBubble(pendingUser);
  pendingUser = null;
  setState("idle");
}

function onClose(e) {  // the server (or the network) ended the call
  hangUp();
  if (stats.error) {
    status("Call ended.");
    return;
  }
  const code = CLOSE_CODES[e.code];
  if (code) showError(code, e.reason || "");
  else if (e.code !== 1000 && e.code !== 1005)
    showProblem("The call was cut", `The connection closed (code ${e.code}). ` +
                "Is the server still running?", "closed");
  status("Call ended.");
}

function startTimer() {
  callStarted = performance.now();
  $("timer").hidden = false;
  const tick = () => {
    const s = Math.floor((performance.now() - callStarted) / 1000);
    $("timer").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };
  tick();
  timerId = setInterval(tick, 1000);
}

function stopTimer() {
  clearInterval(timerId);
  $("timer").hidden = true;
}

// ---- microphone frames, level meter and mute ---------------------------------------------

function onCapture(buffer) {
  const pcm = new Int16Array(buffer);
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  const rms = Math.sqrt(sum / pcm.length) / 32768;
  const db = 20 * Math.log10(rms + 1e-9);
  const level = Math.min(1, Math.max(0, (db + 60) / 50));  // -60 dBFS..-10 dBFS -> 0..1
  meterLevel = level > meterLevel ? level : meterLevel * 0.88 + level * 0.12;
  stats.level = meterLevel;
  stats.levelMax = Math.max(stats.levelMax, meterLevel);
  if (!call || call.ws.readyState !== WebSocket.OPEN) return;
  const frame = new Uint8Array(1 + pcm.byteLength);  // zeros: silence while muted
  frame[0] = TAG.AUDIO_IN;
  if (muted) stats.silentFrames += 1;
  else frame.set(new Uint8Array(buffer), 1);
  call.ws.send(frame);
  stats.framesSent += 1;
}

let shownLevel = -1;
function drawMeter() {
  const value = Math.round(meterLevel * 100);
  if (value !== shownLevel) {
    shownLevel = value;
    const meter = $("level");
    meter.style.setProperty("--level", meterLevel.toFixed(3));
    meter.setAttribute("aria-valuenow", String(value));
    meter.setAttribute("aria-valuetext", value < 8 ? "silent" : value < 45 ? "quiet"
                                         : value < 80 ? "speaking" : "loud");
    document.body.style.setProperty("--mic", meterLevel.toFixed(3));
    document.body.classList.toggle("talking-while-muted", muted && value > 35);
  }
}

function meterLoop() {
  drawMeter();
  requestAnimationFrame(meterLoop);
}

function setMuted(on) {
  muted = on;
  stats.muted = on;
  const button = $("mute");
  button.setAttribute("aria-pressed", String(on));
  $("mute-label").textContent = on ? "Unmute" : "Mute";
  $("muted-note").hidden = !on;
  document.body.classList.toggle("muted", on);
  if (call && on !== stats.muteLog.length % 2 > 0) stats.muteLog.push(stats.framesSent);
  if (call) status(on ? "Muted: the agent hears silence until you unmute."
                      : "Unmuted: the agent hears you again.");
}

// ---- messages from the agent -----------------------------------------------------------

function onMessage(bytes) {
  const tag = bytes[0];
  if (tag === TAG.AUDIO_OUT) return playAudio(bytes);
  if (tag === TAG.FLUSH) {
    stats.flushes += 1;
    if (call) {
      flushing.push(playedAtReply);  // where this reply's audio began, for the acknowledgement
      call.playback.port.postMessage("flush");
    }
    return;
  }
  let data;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes.subarray(1)));
  } catch {
    return;
  }
  if (tag === TAG.TRANSCRIPT) transcript(data);
  else if (tag === TAG.STATE) setState(data.state);
  else if (tag === TAG.EMOTION) showEmotion(data);
  else if (tag === TAG.THOUGHT) showThought(data);
  else if (tag === TAG.LATENCY) latency(data);
  else if (tag === TAG.ERROR) showError(data.code, data.message);
}

function playAudio(bytes) {
  if (!call) return;
  const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 1));
  const samples = Float32Array.from(pcm, (v) => v / 32768);
  stats.audioChunks += 1;
  call.playback.port.postMessage(samples, [samples.buffer]);
}

function onPlayback(data) {
  if (data.type === "flushed") {
    stats.playbackFlushes += 1;
    stats.played = data.played;
    const replyStart = flushing.length ? flushing.shift() : null;
    const entry = { played: data.played, dropped: data.dropped, quiet: false,
                    playedInReply: replyStart === null ? 0 : data.played - replyStart };
    stats.flushLog.push(entry);
    awaitingStop.push(entry);
    return;
  }
  stats.played = data.played;
  stats.queued = data.queued;
  stats.playing = data.playing;
  document.body.style.setProperty("--voice", Math.min(1, data.level * 6).toFixed(3));
  if (awaitingStop.length && !data.playing) {  // the agent's voice stopped after the flush
    for (const entry of awaitingStop) entry.quiet = true;
    stats.stoppedAfterFlush += awaitingStop.length;
    awaitingStop = [];
  }
}

// ---- the conversation --------------------------------------------------------------------

function callTime(seconds) {
  if (typeof seconds !== "number") return "";
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function addBubble(role, pending) {
  const item = document.createElement("li");
  item.className = `msg ${role}${pending ? " pending" : ""}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = role === "user" ? "You" : "Agent";
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const meta = document.createElement("div");
  meta.className = "meta";
  item.append(who, bubble, meta);
  // Interim words and placeholders stay out of the live log; the settled text is announced.
  if (pending) item.setAttribute("aria-hidden", "true");
  $("transcript").append(item);
  document.body.classList.add("has-messages");
  scrollChat();
  return item;
}

function setBubbleText(item, text) {
  const bubble = item.querySelector(".bubble");
  const span = document.createElement("span");
  span.className = "text";
  if (text) span.textContent = text;
  else {
    span.classList.add("typing");
    span.setAttribute("aria-label", item.dataset.spoke ? "speaking" : "thinking");
    span.append(...[0, 1, 2].map(() => document.createElement("i")));
  }
  bubble.replaceChildren(span);
}

function settleBubble(item, time) {
  item.classList.remove("pending", "speaking", "thinking");
  item.removeAttribute("aria-hidden");
  if (time !== undefined) {
    const stamp = document.createElement("span");
    stamp.className = "time";
    stamp.textContent = callTime(time);
    item.querySelector(".meta").prepend(stamp);
  }
}

function ensureAgentBubble() {
  if (!agentBubble) {
    agentBubble = addBubble("agent", true);
    agentBubble.classList.add("thinking");
    setBubbleText(agentBubble, "");
    if (pendingLatency) attachLatency(agentBubble, pendingLatency);
    pendingLatency = null;
  }
  return agentBubble;
}

function dropUnspokenAgentBubble(always = false) {
  if (agentBubble && (always || !agentBubble.dataset.spoke)) {
    agentBubble.remove();
    agentBubble = null;
  }
}

function transcript(data) {
  if (data.role === "user") userWords(data);
  else agentWords(data);
  scrollChat();
}

function userWords(data) {
  if (!pendingUser) pendingUser = addBubble("user", true);
  setBubbleText(pendingUser, data.text);
  if (!data.final) {  // interim: the pending bubble follows the words as they come
    pendingUser.dataset.interim = "1";
    stats.partials += 1;
    return;
  }
  if (pendingUser.dataset.interim) stats.settled += 1;
  settleBubble(pendingUser, data.time);
  setBubbleText(pendingUser, data.text);  // again, now that screen readers hear it
  pendingUser = null;
  stats.finals.push(data.text);
}

function agentWords(data) {
  const item = agentBubble || addBubble("agent", false);
  agentBubble = null;
  playedAtReply = null;
  settleBubble(item, data.time);
  setBubbleText(item, data.text);
  if (data.interrupted) {
    item.classList.add("cut");
    const tag = document.createElement("span");
    tag.className = "cut-tag";
    tag.textContent = "cut off";
    tag.title = "You spoke over the agent, so it stopped here";
    item.querySelector(".meta").append(tag);
    stats.cut += 1;
  }
  stats.agent.push(data.text);
}

// The conversation follows new words while it is scrolled to the bottom (pinned); scrolled
// up to read, it stays put.
// Only the user's own scrolling (wheel, touch, keys, scrollbar) pins or unpins it: layout
// changes (a resized window) also move the scroll position, and must not unpin it.
let chatPinned = true;
let userScrolledAt = -Infinity;
function scrollChat() {
  const chat = $("conversation");
  if (chatPinned) chat.scrollTop = chat.scrollHeight;
}

// ---- latency ---------------------------------------------------------------------------

function latencyClass(seconds) {
  return seconds < 1.2 ? "fast" : seconds < 2.5 ? "ok" : "slow";
}

function attachLatency(item, data) {
  const chip = document.createElement("span");
  chip.className = `latency ${latencyClass(data.first_audio_s)}`;
  chip.textContent = `${data.first_audio_s.toFixed(2)} s`;
  chip.title = `First sound ${data.first_audio_s.toFixed(2)} s after you stopped speaking ` +
               `(decided after ${data.decide_s.toFixed(2)} s)`;
  item.querySelector(".meta").append(chip);
}

function latency(data) {
  stats.latencies.push(data.first_audio_s);
  if (agentBubble) attachLatency(agentBubble, data);
  else pendingLatency = data;

  const item = document.createElement("li");
  item.className = latencyClass(data.first_audio_s);
  const label = document.createElement("span");
  label.className = "turn";
  label.textContent = `Turn ${stats.latencies.length}`;
  const bar = document.createElement("span");
  bar.className = "bar";
  bar.setAttribute("aria-hidden", "true");
  const decide = document.createElement("span");
  decide.className = "decide";
  decide.style.width = `${Math.min(100, (data.decide_s / 4) * 100)}%`;
  const first = document.createElement("span");
  first.className = "first";
  first.style.width = `${Math.min(100, (data.first_audio_s / 4) * 100)}%`;
  bar.append(first, decide);
  const value = document.createElement("span");
  value.className = "value";
  value.textContent = `${data.first_audio_s.toFixed(2)} s`;
  const detail = document.createElement("span");
  detail.className = "detail";
  const backlog = data.backlog_s > 0.05 ? ` · server backlog ${data.backlog_s.toFixed(2)} s` : "";
  detail.textContent = `decided after ${data.decide_s.toFixed(2)} s${backlog}` +
                       (data.text ? ` · “${data.text}”` : "");
  item.append(label, bar, value, detail);
  $("latency").append(item);
  document.body.classList.add("has-latency");
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  $("latency-summary").textContent = `median ${median.toFixed(2)} s`;
}

// ---- emotion and thought -------------------------------------------------------------------

function emotionColor(label) {
  return EMOTION_COLORS[label] || "#8c8279";
}

function bar(name, value, min, max, text) {
  const row = document.createElement("div");
  row.className = "gauge";
  const label = document.createElement("span");
  label.textContent = name;
  const track = document.createElement("span");
  track.className = "gauge-track";
  track.setAttribute("role", "meter");
  track.setAttribute("aria-label", name);
  track.setAttribute("aria-valuemin", String(min));
  track.setAttribute("aria-valuemax", String(max));
  track.setAttribute("aria-valuenow", String(value));
  const fill = document.createElement("span");
  fill.className = min < 0 ? "gauge-fill signed" : "gauge-fill";
  if (min < 0) {
    const half = Math.abs(value) / (max - min) * 100;
    fill.style.left = `${value < 0 ? 50 - half : 50}%`;
    fill.style.width = `${half}%`;
  } else {
    fill.style.width = `${((value - min) / (max - min)) * 100}%`;
  }
  track.append(fill);
  const out = document.createElement("span");
  out.className = "gauge-value";
  out.textContent = text;
  row.append(label, track, out);
  return row;
}

function showEmotion(e) {
  const box = $("emotion");
  const head = document.createElement("p");
  head.className = "emotion-head";
  const chip = document.createElement("span");
  chip.className = "emotion-chip";
  chip.style.setProperty("--c", emotionColor(e.label));
  chip.textContent = e.label || "?";
  const from = document.createElement("span");
  from.className = "from";
  const confidence = e.confidence != null ? `, confidence ${Math.round(e.confidence * 100)} %`
                                          : "";
  from.textContent = `from your ${e.driver || "voice and words"}${confidence}`;
  head.append(chip, from);
  const gauges = document.createElement("div");
  gauges.className = "gauges";
  const num = (v) => (typeof v === "number" ? v : 0);
  gauges.append(bar("intensity", num(e.intensity), 0, 1, num(e.intensity).toFixed(2)),
                bar("valence", num(e.valence), -1, 1, num(e.valence).toFixed(2)),
                bar("arousal", num(e.arousal), -1, 1, num(e.arousal).toFixed(2)));
  box.replaceChildren(head, gauges);
}

function thoughtLines(t) {
  const lines = [];
  if (t.emotion) lines.push(["feels", `${t.emotion}${typeof t.intensity === "number"
                                         ? ` (${t.intensity.toFixed(2)})` : ""}`]);
  for (const key of ["cause", "shift", "need", "strategy", "language"])
    if (t[key]) lines.push([key, String(t[key])]);
  return lines;
}

function showThought(t) {
  stats.thoughts.push(t.summary);
  const box = $("thought");
  const summary = document.createElement("p");
  summary.className = "thought-summary";
  summary.textContent = t.summary;
  const list = document.createElement("dl");
  list.className = "thought-fields";
  for (const [key, value] of thoughtLines(t)) {
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
  box.replaceChildren(summary, list);
  addChartPoint(t);
}

function addChartPoint(t) {
  const match = /^turn (\d+)/i.exec(t.summary || "");
  const turn = match ? Number(match[1]) : chart.points.length + 1;
  const point = { turn, emotion: t.emotion || "neutral",
                  intensity: typeof t.intensity === "number" ? t.intensity : 0.5,
                  summary: t.summary || "", lines: thoughtLines(t) };
  const last = chart.points.at(-1);
  if (last && last.turn === turn) chart.points[chart.points.length - 1] = point;  // revised
  else chart.points.push(point);
  if (!chart.rows.includes(point.emotion)) chart.rows.push(point.emotion);
  drawChart();
}

function svg(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

function drawChart() {
  const root = $("emotion-chart");
  const rowH = 22, top = 12, left = 70, right = 18, bottom = 24, width = 360;
  const height = top + rowH * chart.rows.length + bottom;
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.replaceChildren();
  const n = chart.points.length;
  const span = width - left - right - 16;
  const step = n > 1 ? Math.min(42, span / (n - 1)) : 0;
  const x = (i) => left + 12 + i * step;
  const y = (label) => top + rowH * chart.rows.indexOf(label) + rowH / 2;

  chart.rows.forEach((label) => {
    svg("line", { x1: left, x2: width - right, y1: y(label), y2: y(label), class: "grid" }, root);
    svg("circle", { cx: 10, cy: y(label), r: 4, fill: emotionColor(label) }, root);
    const text = svg("text", { x: 20, y: y(label) + 4, class: "row-label" }, root);
    text.textContent = label;
  });
  if (n === 0) {
    const text = svg("text", { x: left + span / 2, y: top + rowH * 3.5, class: "empty",
                               "text-anchor": "middle" }, root);
    text.textContent = "no turns yet";
    return;
  }
  if (n > 1)
    svg("polyline", { class: "trail", points: chart.points.map((p, i) =>
      `${x(i)},${y(p.emotion)}`).join(" ") }, root);
  const every = Math.ceil(n / 10);
  chart.points.forEach((p, i) => {
    const g = svg("g", { class: "point", tabindex: 0, role: "img",
                         "data-turn": p.turn, "data-emotion": p.emotion,
                         "aria-label": `Turn ${p.turn}: ${p.emotion}, intensity ` +
                           `${p.intensity.toFixed(2)}. Thought: ${p.summary}` }, root);
    const title = svg("title", {}, g);
    title.textContent = `Turn ${p.turn} · ${p.emotion} (${p.intensity.toFixed(2)})\n${p.summary}`;
    if (i === n - 1) svg("circle", { cx: x(i), cy: y(p.emotion), r: 6 + p.intensity * 8,
                                      class: "latest", stroke: emotionColor(p.emotion) }, g);
    svg("circle", { cx: x(i), cy: y(p.emotion), r: 3.5 + p.intensity * 6,
                    fill: emotionColor(p.emotion), class: "dot" }, g);
    g.addEventListener("pointerenter", () => showTip(g, p));
    g.addEventListener("focus", () => showTip(g, p));
    g.addEventListener("pointerleave", hideTip);
    g.addEventListener("blur", hideTip);
    if ((i % every === 0 && n - 1 - i >= every / 2 + 1) || i === n - 1) {
      const label = svg("text", { x: x(i), y: height - 8, class: "x-label",
                                  "text-anchor": "middle" }, root);
      label.textContent = String(p.turn);
    }
  });
}

function showTip(node, p) {
  const tip = $("chart-tip");
  const head = document.createElement("p");
  head.className = "tip-head";
  const chip = document.createElement("span");
  chip.className = "emotion-chip";
  chip.style.setProperty("--c", emotionColor(p.emotion));
  chip.textContent = p.emotion;
  head.append(`Turn ${p.turn} `, chip, ` ${p.intensity.toFixed(2)}`);
  const body = document.createElement("p");
  body.textContent = p.summary;
  tip.replaceChildren(head, body);
  tip.hidden = false;
  const wrap = tip.parentElement.getBoundingClientRect();
  const box = node.getBoundingClientRect();
  const center = box.left + box.width / 2 - wrap.left;
  tip.style.left = `${Math.max(0, Math.min(wrap.width - tip.offsetWidth, center - tip.offsetWidth / 2))}px`;
  tip.style.top = `${box.bottom - wrap.top + 6}px`;
}

function hideTip() {
  $("chart-tip").hidden = true;
}

// ---- wiring ------------------------------------------------------------------------------

$("call").addEventListener("click", () => (call ? hangUp() : startCall()));
$("mute").addEventListener("click", () => setMuted(!muted));
$("mic").addEventListener("change", switchMicrophone);
$("error-close").addEventListener("click", () => {
  $("error").hidden = true;
  document.body.classList.remove("has-error");
  $("call").focus();
});
$("debug").addEventListener("toggle", () =>
  localStorage.setItem("debugOpen", $("debug").open ? "1" : "0"));
if (localStorage.getItem("debugOpen") === "0") $("debug").open = false;
if (navigator.mediaDevices && navigator.mediaDevices.addEventListener)
  navigator.mediaDevices.addEventListener("devicechange", listMicrophones);
window.addEventListener("pagehide", hangUp);
for (const type of ["wheel", "touchmove", "keydown", "pointerdown"])
  $("conversation").addEventListener(type, () => { userScrolledAt = performance.now(); },
                                     { passive: true });
$("conversation").addEventListener("scroll", () => {
  if (performance.now() - userScrolledAt > 1500) return;
  const chat = $("conversation");
  chatPinned = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 48;
}, { passive: true });
const keepPinned = new ResizeObserver(scrollChat);
keepPinned.observe($("conversation"));
keepPinned.observe($("transcript"));
// On narrow screens the conversation fills the rest of the first screen (see style.css).
const placeChat = () => document.documentElement.style.setProperty(
  "--chat-top", `${Math.round($("conversation").getBoundingClientRect().top + scrollY)}px`);
new ResizeObserver(placeChat).observe(document.querySelector(".call-card"));
new ResizeObserver(placeChat).observe($("error"));
new ResizeObserver(placeChat).observe($("message"));
window.addEventListener("resize", placeChat);
listMicrophones();
drawChart();
requestAnimationFrame(meterLoop);
