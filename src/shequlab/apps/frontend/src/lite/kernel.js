// The page's kernel, over Jupyter Server's kernel websocket: only what widgets need (comm
// messages both ways), in the websocket protocol Jupyter Server and Voila speak today
// ("v1.kernel.websocket.jupyter.org"): every message is one binary frame,
//   uint64 n, uint64 offsets[n] (little-endian), then the channel's name and the message's
//   parts (header, parent header, metadata, content, buffers...) at those offsets.
// (The older format, JSON frames with big-endian offsets for buffers, is not an option: Voila's
// websocket handler reads every binary frame as v1 and stalls on the older kind.)

const PROTOCOL = 'v1.kernel.websocket.jupyter.org';
const RECONNECTS = [500, 2000, 5000]; // ms before each new try after the socket closed
const PARTS = ['header', 'parent_header', 'metadata', 'content'];

// 64-bit little-endian integers as two 32-bit halves: DataView's BigInt methods are missing on
// older phones (Safari before 15), and no offset here comes near 2^53.
function getUint64(view, at) {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function setUint64(view, at, value) {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`.replace('.', '');
}

/** A frame's message: {channel, header, parent_header, metadata, content, buffers}. */
export function decodeFrame(data) {
  const view = new DataView(data);
  const count = getUint64(view, 0);
  const offsets = [];
  for (let i = 1; i <= count; i++) {
    offsets.push(getUint64(view, i * 8));
  }
  const utf8 = new TextDecoder('utf-8');
  const part = (i) => new Uint8Array(data, offsets[i], offsets[i + 1] - offsets[i]);
  const msg = { channel: utf8.decode(part(0)), buffers: [] };
  for (let i = 1; i < count - 1; i++) {
    if (i <= PARTS.length) {
      msg[PARTS[i - 1]] = JSON.parse(utf8.decode(part(i)));
    } else {
      msg.buffers.push(new DataView(data, offsets[i], offsets[i + 1] - offsets[i]));
    }
  }
  return msg;
}

/** One frame for `msg` (no buffers) on `channel`. */
export function encodeFrame(channel, msg) {
  const utf8 = new TextEncoder();
  const parts = [utf8.encode(channel), ...PARTS.map((key) => utf8.encode(JSON.stringify(msg[key])))];
  const count = parts.length + 1;
  const frame = new Uint8Array(8 * (count + 1) + parts.reduce((n, p) => n + p.length, 0));
  const view = new DataView(frame.buffer);
  setUint64(view, 0, count);
  let offset = 8 * (count + 1);
  parts.forEach((p, i) => {
    setUint64(view, 8 * (i + 1), offset);
    frame.set(p, offset);
    offset += p.length;
  });
  setUint64(view, 8 * count, offset);
  return frame.buffer;
}

export class Kernel {
  /**
   * @param {string} url the kernel's channels URL (ws:// or wss://), without session_id
   * @param {(msg: object) => void} onIopub every iopub message the kernel sends
   * @param {() => void} onLost called once when the connection is gone for good
   */
  constructor(url, onIopub, onLost) {
    this.session = uuid();
    this.url = `${url}?session_id=${encodeURIComponent(this.session)}`;
    this.onIopub = onIopub;
    this.onLost = onLost;
    this.queue = []; // messages sent before the socket opened
    this.tries = 0;
    this.open();
  }

  open() {
    const ws = new WebSocket(this.url, PROTOCOL);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.tries = 0;
      for (const frame of this.queue.splice(0)) {
        ws.send(frame);
      }
    };
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') {
        return; // not this protocol's
      }
      const msg = decodeFrame(event.data);
      if (msg.channel === 'iopub') {
        this.onIopub(msg);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) {
        return;
      }
      if (this.tries < RECONNECTS.length) {
        setTimeout(() => this.open(), RECONNECTS[this.tries++]);
      } else {
        this.ws = null;
        this.onLost();
      }
    };
    this.ws = ws;
  }

  /** Send a comm message to the kernel (shell channel). */
  sendComm(commId, data) {
    const frame = encodeFrame('shell', {
      header: {
        msg_id: uuid(),
        msg_type: 'comm_msg',
        username: '',
        session: this.session,
        date: new Date().toISOString(),
        version: '5.3',
      },
      parent_header: {},
      metadata: {},
      content: { comm_id: commId, data },
    });
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(frame);
    } else {
      this.queue.push(frame);
    }
  }
}
