// The call page: microphone -> 16 kHz PCM16 frames -> WebSocket; agent audio -> playback.
// Protocol: duplex_agent/protocol.py (one tag byte, then PCM16 or UTF-8 JSON).
"use strict";

const TAG = { AUDIO_IN: 0x01, AUDIO_OUT: 0x02, TRANSCRIPT: 0x10, STATE: 0x11, THOUGHT: 0x12,
              EMOTION: 0x13, LATENCY: 0x14, FLUSH: 0x20, ERROR: 0x7f };
const $ = (id) => document.getElementById(id);
const stats = { connected: false, audioChunks: 0, played: 0, flushes: 0, finals: [],
                agent: [], thoughts: [], error: null };
window.callStats = stats;  // read by the browser test
let call = null;

function show(text, isError = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", isError);
  if (isError) stats.error = text;
}

function setState(state) {
  document.body.dataset.state = state;
  $("state").textContent = state;
}

function micError(err) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    return "This browser gives no microphone here: open the page over https or on localhost.";
  switch (err && err.name) {
    case "NotAllowedError": case "SecurityError":
      return "Microphone permission was denied. Allow the microphone for this site, then start again.";
    case "NotFoundError": case "OverconstrainedError":
      return "No microphone found. Connect or enable one, then start again.";
    case "NotReadableError": case "AbortError":
      return "The microphone is busy or unavailable (another app may be using it).";
    default:
      return `Could not open the microphone: ${err && err.message ? err.message : err}`;
  }
}

function callUrl() {
  const token = new URLSearchParams(location.search).get("token");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/call${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

async function openAudio(ctx) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw micError(null);
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: {
      echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 } });
  } catch (err) {
    throw micError(err);
  }
  await ctx.audioWorklet.addModule("capture-worklet.js");
  await ctx.audioWorklet.addModule("playback-worklet.js");
  const capture = new AudioWorkletNode(ctx, "capture-16k");
  const playback = new AudioWorkletNode(ctx, "playback-16k", { outputChannelCount: [2] });
  const mute = ctx.createGain();
  mute.gain.value = 0;
  ctx.createMediaStreamSource(stream).connect(capture).connect(mute).connect(ctx.destination);
  playback.connect(ctx.destination);
  playback.port.onmessage = (e) => { stats.played = e.data.played; };
  return { stream, capture, playback };
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(`Cannot reach the agent server at ${location.host}. ` +
                              "Is duplex-agent serve running?");
  });
}

async function startCall() {
  const ctx = new AudioContext({ latencyHint: "interactive" });  // inside the tap (phones)
  show("Opening the microphone...");
  let audio = null;
  try {
    audio = await openAudio(ctx);
    await ctx.resume();
    show("Connecting...");
    const ws = await connect(callUrl());
    call = { ctx, ws, ...audio };
    audio.capture.port.onmessage = (e) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const frame = new Uint8Array(1 + e.data.byteLength);
      frame[0] = TAG.AUDIO_IN;
      frame.set(new Uint8Array(e.data), 1);
      ws.send(frame);
    };
    ws.onmessage = (e) => onMessage(new Uint8Array(e.data));
    ws.onclose = (e) => onClose(e);
    stats.connected = true;
    document.body.classList.add("in-call");
    $("call").textContent = "End call";
    setState("listening");
    show("In call: speak whenever you like, and interrupt whenever you like.");
  } catch (err) {
    if (audio && !call) audio.stream.getTracks().forEach((t) => t.stop());
    if (call) hangUp(); else ctx.close();
    show(String(err), true);
  }
}

function hangUp() {
  if (!call) return;
  const { ctx, ws, stream } = call;
  call = null;
  if (ws.readyState <= WebSocket.OPEN) ws.close(1000, "bye");
  stream.getTracks().forEach((t) => t.stop());
  ctx.close();
  document.body.classList.remove("in-call");
  $("call").textContent = "Start call";
  setState("idle");
}

function onClose(e) {
  const wasInCall = call !== null;
  hangUp();
  if (e.code === 1013 && !stats.error)
    show("The agent is busy (all call lines in use). Try again in a minute.", true);
  else if (wasInCall && e.code !== 1000 && !stats.error)
    show(`The call was cut (code ${e.code}). Is the server still running?`, true);
  else if (!stats.error) show("Call ended.");
}

function onMessage(bytes) {
  const tag = bytes[0];
  if (tag === TAG.AUDIO_OUT) return playAudio(bytes);
  if (tag === TAG.FLUSH) {
    stats.flushes += 1;
    if (call) call.playback.port.postMessage("flush");
    return;
  }
  const data = JSON.parse(new TextDecoder().decode(bytes.subarray(1)));
  if (tag === TAG.TRANSCRIPT) transcript(data);
  else if (tag === TAG.STATE) setState(data.state);
  else if (tag === TAG.EMOTION) $("emotion").textContent = emotionText(data);
  else if (tag === TAG.THOUGHT) {
    stats.thoughts.push(data.summary);
    $("thought").textContent = data.summary;
  }
  else if (tag === TAG.LATENCY) latency(data);
  else if (tag === TAG.ERROR) show(data.message, true);
}

function playAudio(bytes) {
  if (!call) return;
  const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 1));
  const samples = Float32Array.from(pcm, (v) => v / 32768);
  stats.audioChunks += 1;
  call.playback.port.postMessage(samples, [samples.buffer]);
}

function transcript(data) {
  if (data.role === "user" && !data.final) {
    $("partial").textContent = data.text;
    return;
  }
  if (data.role === "user") {
    $("partial").textContent = "";
    stats.finals.push(data.text);
  } else {
    stats.agent.push(data.text);
  }
  const item = document.createElement("li");
  item.className = data.role + (data.interrupted ? " cut" : "");
  item.textContent = `${data.role === "user" ? "You" : "Agent"}: ${data.text}`;
  $("transcript").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function emotionText(e) {
  const strength = e.intensity != null ? ` (${Number(e.intensity).toFixed(2)})` : "";
  return `${e.label}${strength}, from ${e.driver || "?"}`;
}

function latency(data) {
  const item = document.createElement("li");
  const backlog = data.backlog_s > 0.05 ? `, server backlog ${data.backlog_s.toFixed(2)} s` : "";
  item.textContent = `first audio ${data.first_audio_s.toFixed(2)} s after you stopped ` +
    `(decided at ${data.decide_s.toFixed(2)} s${backlog})`;
  $("latency").append(item);
}

$("call").addEventListener("click", () => (call ? hangUp() : startCall()));
$("debug").addEventListener("toggle", () =>
  localStorage.setItem("debugOpen", $("debug").open ? "1" : "0"));
if (localStorage.getItem("debugOpen") === "0") $("debug").open = false;
