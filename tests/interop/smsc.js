#!/usr/bin/env node
// smsc.js: an SMSC built on node-smpp (the npm package `smpp`), the peer nobody here wrote,
// for the interop tests (tests/interop/*_test.cpp) and the sink benchmark (bench/).
//
//   node smsc.js PORT SYSTEM_ID PASSWORD [--drop-after N [--lose-responses K]] [--sink]
//                [--ids hex-decimal] [--receipt-delay-ms N] [--enquire-link-ms N]
//
// Listens on 127.0.0.1:PORT (0: any free port) and prints "listening <port>" when ready.
// bind_transceiver with SYSTEM_ID/PASSWORD is accepted; a wrong password gets
// ESME_RINVPASWD, an unknown system_id ESME_RINVSYSID. Every submit_sm gets a message id;
// one that asks for a receipt (registered_delivery & 3 == 1) gets a deliver_sm with
// esm_class 0x04, the Appendix B text ("id:... stat:DELIVRD err:000 text:...") and the
// receipted_message_id / message_state TLVs. A receipt not acknowledged by deliver_sm_resp
// when its connection closes is kept and sent again on the next bind (store and forward).
//
//   --drop-after N      destroy the socket on the Nth submit_sm (unanswered; responses still
//                       in node's buffers are lost too), once; later binds are served.
//   --sink              answer submit_sm as fast as possible: no receipts (benchmarks).
//   --ids hex-decimal   ids in submit_sm_resp in hex, in receipts in decimal (a common
//                       SMSC quirk); default: decimal in both.
//   --lose-responses K  with --drop-after: hold (cork) everything written from the
//                       (N-K)th submit_sm on, so the responses to the K submits before the
//                       drop are certainly lost with the socket (the ESME must resend them).
//   --receipt-delay-ms  wait this long before sending each receipt (default 0).
//   --enquire-link-ms   send enquire_link on every bound link this often (default: never).
//
// Output: one line per bind, bind rejection, unbind, close and drop (no passwords, no
// per-message lines: stdout may be a pipe nobody drains), and on exit
// "summary {json counters}". Exits when stdin closes (so a test that dies leaves no orphan
// behind) or on SIGTERM/SIGINT.
'use strict';

const smpp = require('smpp');

function usage(error) {
  process.stderr.write(`smsc.js: ${error}\n` +
      'usage: node smsc.js PORT SYSTEM_ID PASSWORD [--drop-after N [--lose-responses K]]' +
      ' [--sink] [--ids hex-decimal] [--receipt-delay-ms N] [--enquire-link-ms N]\n');
  process.exit(2);
}

function parseArgs(argv) {
  if (argv.length < 3) usage('PORT SYSTEM_ID PASSWORD are required');
  const number = (flag, text) => {
    if (!/^\d+$/.test(text || '')) usage(`${flag}: not a non-negative number`);
    return Number(text);
  };
  const options = {
    port: number('PORT', argv[0]),
    systemId: argv[1],
    password: argv[2],
    dropAfter: 0,
    loseResponses: 0,
    sink: false,
    hexSubmitIds: false,
    receiptDelayMs: 0,
    enquireLinkMs: 0,
  };
  for (let i = 3; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--sink') {
      options.sink = true;
    } else if (flag === '--drop-after') {
      options.dropAfter = number(flag, argv[++i]);
    } else if (flag === '--lose-responses') {
      options.loseResponses = number(flag, argv[++i]);
    } else if (flag === '--receipt-delay-ms') {
      options.receiptDelayMs = number(flag, argv[++i]);
    } else if (flag === '--enquire-link-ms') {
      options.enquireLinkMs = number(flag, argv[++i]);
    } else if (flag === '--ids') {
      const form = argv[++i];
      if (form !== 'hex-decimal' && form !== 'decimal') usage('--ids: hex-decimal or decimal');
      options.hexSubmitIds = form === 'hex-decimal';
    } else {
      usage(`unknown option ${flag}`);
    }
  }
  if (options.loseResponses >= options.dropAfter && options.loseResponses > 0) {
    usage('--lose-responses needs a larger --drop-after');
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));

const counters = {
  binds: 0,
  bind_rejections: 0,
  unbinds: 0,
  closes: 0,
  drops: 0,
  submits: 0,            // submit_sm received on a bound link
  answered: 0,           // submit_sm_resp written with ESME_ROK
  receipts_sent: 0,      // deliver_sm receipts written (resends included)
  receipts_acked: 0,     // deliver_sm_resp ESME_ROK for a receipt
  receipts_resent: 0,    // receipts carried over to a later bind
  enquire_links_received: 0,
  enquire_links_sent: 0,
  enquire_link_resps: 0,  // ESME_ROK answers to ours
};
let nextMessageId = 1;
let dropDone = false;
// Receipts whose connection closed before their deliver_sm_resp: sent on the next bind.
let storedReceipts = [];
const boundSessions = new Set();
let connectionCount = 0;

function say(line) {
  process.stdout.write(line + '\n');
}

// YYMMDDhhmm, UTC.
function receiptDate(date) {
  const two = (n) => String(n).padStart(2, '0');
  return two(date.getUTCFullYear() % 100) + two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
      two(date.getUTCHours()) + two(date.getUTCMinutes());
}

function messageText(shortMessage) {
  if (shortMessage && typeof shortMessage.message === 'string') return shortMessage.message;
  if (shortMessage && Buffer.isBuffer(shortMessage.message)) {
    return shortMessage.message.toString('latin1');
  }
  return '';
}

// The receipt for one answered submit_sm: the deliver_sm fields (sent later, maybe again).
function makeReceipt(submit, id, submittedAt) {
  const receiptId = String(id);  // receipts always carry the decimal form
  const text = `id:${receiptId} sub:001 dlvrd:001 submit date:${receiptDate(submittedAt)} ` +
      `done date:${receiptDate(new Date())} stat:DELIVRD err:000 ` +
      `text:${messageText(submit.short_message).slice(0, 20)}`;
  return {
    source_addr_ton: submit.dest_addr_ton,
    source_addr_npi: submit.dest_addr_npi,
    source_addr: submit.destination_addr,
    dest_addr_ton: submit.source_addr_ton,
    dest_addr_npi: submit.source_addr_npi,
    destination_addr: submit.source_addr,
    esm_class: 0x04,
    data_coding: 0,
    // A Buffer goes out as is: the ASCII text, one octet per character, as SMSCs send it.
    short_message: Buffer.from(text, 'latin1'),
    receipted_message_id: receiptId,
    message_state: 2,  // DELIVERED
  };
}

function sendReceipt(conn, receipt) {
  if (conn.dead) {
    storedReceipts.push(receipt);
    return;
  }
  const pdu = new smpp.PDU('deliver_sm', receipt);
  const sent = conn.session.send(pdu, (resp) => {
    conn.unackedReceipts.delete(resp.sequence_number);
    if (resp.command_status === 0) {
      ++counters.receipts_acked;
    } else {
      storedReceipts.push(receipt);  // the ESME could not take it now: try on the next bind
    }
  });
  if (!sent) {
    storedReceipts.push(receipt);
    return;
  }
  conn.unackedReceipts.set(pdu.sequence_number, receipt);  // numbered by send()
  ++counters.receipts_sent;
}

function flushStoredReceipts(conn) {
  const pending = storedReceipts;
  storedReceipts = [];
  counters.receipts_resent += pending.length;
  for (const receipt of pending) sendReceipt(conn, receipt);
}

function onBind(conn, pdu) {
  const session = conn.session;
  let status = 0;
  if (pdu.system_id !== options.systemId) {
    status = smpp.ESME_RINVSYSID;
  } else if (pdu.password !== options.password) {
    status = smpp.ESME_RINVPASWD;
  } else if (conn.bound) {
    status = smpp.ESME_RALYBND;
  }
  if (status !== 0) {
    ++counters.bind_rejections;
    say(`conn=${conn.id} bind_rejected system_id=${pdu.system_id} status=${status}`);
    session.send(pdu.response({command_status: status}));
    return;
  }
  conn.bound = true;
  boundSessions.add(conn);
  ++counters.binds;
  say(`conn=${conn.id} bound system_id=${pdu.system_id}`);
  session.send(pdu.response({system_id: 'nodesmsc'}));
  if (!options.sink) flushStoredReceipts(conn);
  if (options.enquireLinkMs > 0) {
    conn.keepAlive = setInterval(() => {
      if (conn.dead || !conn.bound) return;
      ++counters.enquire_links_sent;
      session.enquire_link((resp) => {
        if (resp.command_status === 0) ++counters.enquire_link_resps;
      });
    }, options.enquireLinkMs);
  }
}

function onSubmit(conn, pdu) {
  const session = conn.session;
  if (!conn.bound) {
    session.send(pdu.response({command_status: smpp.ESME_RINVBNDSTS}));
    return;
  }
  ++counters.submits;
  if (options.loseResponses > 0 && !dropDone &&
      counters.submits === options.dropAfter - options.loseResponses) {
    session.socket.cork();  // nothing written from here on leaves before the drop
  }
  if (options.dropAfter > 0 && !dropDone && counters.submits === options.dropAfter) {
    dropDone = true;
    ++counters.drops;
    say(`conn=${conn.id} dropped after_submits=${counters.submits}`);
    conn.dead = true;
    session.pause();  // no further PDUs from this socket's buffer
    session.destroy();
    return;
  }
  const id = nextMessageId++;
  const wireId = options.hexSubmitIds ? id.toString(16).toUpperCase() : String(id);
  session.send(pdu.response({message_id: wireId}));
  ++counters.answered;
  if (options.sink || (pdu.registered_delivery & 0x03) !== 1) return;
  const receipt = makeReceipt(pdu, id, new Date());
  if (options.receiptDelayMs > 0) {
    setTimeout(() => sendReceipt(conn, receipt), options.receiptDelayMs);
  } else {
    setImmediate(() => sendReceipt(conn, receipt));
  }
}

function onClose(conn) {
  if (conn.closed) return;
  conn.closed = true;
  conn.dead = true;
  boundSessions.delete(conn);
  clearInterval(conn.keepAlive);
  ++counters.closes;
  // Store and forward: what the ESME never acknowledged goes out again on its next bind.
  for (const receipt of conn.unackedReceipts.values()) storedReceipts.push(receipt);
  conn.unackedReceipts.clear();
  say(`conn=${conn.id} closed`);
}

const server = smpp.createServer((session) => {
  session.socket.setNoDelay(true);  // small PDUs: do not wait for Nagle
  const conn = {
    id: ++connectionCount,
    session,
    bound: false,
    dead: false,
    closed: false,
    keepAlive: undefined,
    unackedReceipts: new Map(),  // deliver_sm sequence_number -> receipt
  };
  session.on('bind_transceiver', (pdu) => onBind(conn, pdu));
  for (const other of ['bind_transmitter', 'bind_receiver']) {
    // This SMSC offers transceiver binds only.
    session.on(other, (pdu) => session.send(pdu.response({command_status: smpp.ESME_RBINDFAIL})));
  }
  session.on('submit_sm', (pdu) => onSubmit(conn, pdu));
  session.on('enquire_link', (pdu) => {
    ++counters.enquire_links_received;
    session.send(pdu.response());
  });
  session.on('unbind', (pdu) => {
    ++counters.unbinds;
    conn.bound = false;
    say(`conn=${conn.id} unbound`);
    session.send(pdu.response());
    session.close();
  });
  session.on('unknown', (pdu) => session.send(pdu.response()));  // generic_nack
  session.on('error', (error) => {
    // A reset by the peer ends the connection; 'close' follows.
    if (!conn.closed) say(`conn=${conn.id} error ${error.code || error.message}`);
  });
  session.on('close', () => onClose(conn));
});

function shutdown(reason) {
  say(`summary ${JSON.stringify(Object.assign({reason, stored_receipts: storedReceipts.length},
      counters))}`);
  // Let the summary reach the pipe before exiting.
  process.stdout.write('', () => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}

process.on('SIGTERM', () => shutdown('sigterm'));
process.on('SIGINT', () => shutdown('sigint'));
process.stdin.on('end', () => shutdown('stdin closed'));
process.stdin.on('error', () => shutdown('stdin error'));
process.stdin.resume();

server.on('error', (error) => {
  process.stderr.write(`smsc.js: cannot listen: ${error.message}\n`);
  process.exit(1);
});
server.listen(options.port, '127.0.0.1', () => say(`listening ${server.address().port}`));
