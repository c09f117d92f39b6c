#!/usr/bin/env node
// client.js: an ESME built on node-smpp (the npm package `smpp`), the peer nobody here wrote,
// run by tests/interop against OUR SMSC simulator (SimServer / mfi-smsc-sim).
//
//   node client.js HOST PORT SYSTEM_ID PASSWORD COUNT [--window N] [--timeout-ms N]
//
// Binds as a transceiver, sends COUNT submit_sm with registered_delivery 1 (at most
// --window unanswered, default 10), answers every deliver_sm with deliver_sm_resp, waits
// until every submit is answered and every message has its delivery receipt, unbinds, and
// prints one JSON line:
//   {"acked":N,"failed":N,"receipts":N,"matched":N,"duplicates":N,"unmatched":N,
//    "delivered":N,"bind":"ok","enquire_link":"ok","unbind":"ok","elapsed_ms":N}
// acked: submit_sm_resp ESME_ROK; receipts: deliver_sm with esm_class 0x04; matched: distinct
// messages whose receipt id equals their submit_sm_resp id; duplicates: further receipts
// for an already matched message; unmatched: receipts for an id never acknowledged;
// delivered: matched receipts saying DELIVRD / message_state 2; enquire_link: the answer to
// the one enquire_link sent right after the bind.
// Exit status 0 only when acked == matched == COUNT, nothing failed or went unmatched, and
// the enquire_link and the unbind were answered; 1 on any failure or on timeout (default
// 60 s); 2 on bad usage.
'use strict';

const smpp = require('smpp');

function usage(error) {
  process.stderr.write(`client.js: ${error}\n` +
      'usage: node client.js HOST PORT SYSTEM_ID PASSWORD COUNT [--window N]' +
      ' [--timeout-ms N]\n');
  process.exit(2);
}

function parseArgs(argv) {
  if (argv.length < 5) usage('HOST PORT SYSTEM_ID PASSWORD COUNT are required');
  const number = (flag, text) => {
    if (!/^\d+$/.test(text || '')) usage(`${flag}: not a non-negative number`);
    return Number(text);
  };
  const options = {
    host: argv[0],
    port: number('PORT', argv[1]),
    systemId: argv[2],
    password: argv[3],
    count: number('COUNT', argv[4]),
    window: 10,
    timeoutMs: 60000,
  };
  for (let i = 5; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--window') {
      options.window = Math.max(1, number(flag, argv[++i]));
    } else if (flag === '--timeout-ms') {
      options.timeoutMs = number(flag, argv[++i]);
    } else {
      usage(`unknown option ${flag}`);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const started = Date.now();

const summary = {
  acked: 0,
  failed: 0,
  receipts: 0,
  matched: 0,
  duplicates: 0,
  unmatched: 0,
  delivered: 0,
  bind: 'pending',
  enquire_link: 'pending',
  unbind: 'pending',
  elapsed_ms: 0,
};
const idToMessage = new Map();   // submit_sm_resp message_id -> message index
const receiptsById = new Map();  // receipted id -> receipts seen for it (before or after resp)
const matchedMessages = new Set();
let sent = 0;
let inFlight = 0;
let finished = false;
let unbinding = false;

function finish(error) {
  if (finished) return;
  finished = true;
  summary.elapsed_ms = Date.now() - started;
  if (error) summary.error = error;
  process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(error ? 1 : 0));
}

setTimeout(() => finish('timeout'), options.timeoutMs).unref();

// Receipt id: the TLV first, else the "id:" field of the text form.
function receiptOf(pdu) {
  let text = '';
  if (pdu.short_message && pdu.short_message.message !== undefined) {
    text = String(pdu.short_message.message);
  }
  let id = pdu.receipted_message_id;
  if (!id) {
    const m = /(?:^|\s)id:(\S+)/i.exec(text);
    id = m ? m[1] : undefined;
  }
  const stat = /stat:(\S+)/i.exec(text);
  const delivered =
      pdu.message_state === 2 || (stat !== null && stat[1].toUpperCase() === 'DELIVRD');
  return {id, delivered};
}

// Matches every receipt seen for `id` once its submit_sm_resp is known.
function settle(id) {
  if (!idToMessage.has(id) || !receiptsById.has(id)) return;
  const index = idToMessage.get(id);
  for (const receipt of receiptsById.get(id)) {
    if (matchedMessages.has(index)) {
      ++summary.duplicates;
      continue;
    }
    matchedMessages.add(index);
    ++summary.matched;
    if (receipt.delivered) ++summary.delivered;
  }
  receiptsById.delete(id);
}

function maybeDone(session) {
  if (unbinding) return;
  // Every submit answered, and every acknowledged message has its receipt.
  if (summary.acked + summary.failed < options.count || summary.matched < summary.acked) return;
  unbinding = true;
  session.unbind((resp) => {
    summary.unbind = resp.command_status === 0 ? 'ok' : `status ${resp.command_status}`;
    summary.unmatched = [...receiptsById.values()].reduce((n, list) => n + list.length, 0);
    const ok = summary.unbind === 'ok' && summary.enquire_link === 'ok' &&
        summary.failed === 0 && summary.unmatched === 0;
    session.close();
    finish(ok ? undefined : 'failures');
  });
}

function pump(session) {
  while (inFlight < options.window && sent < options.count) {
    const index = sent++;
    ++inFlight;
    session.submit_sm({
      source_addr_ton: 5,
      source_addr: 'NODEESME',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: String(254700000000 + index),
      registered_delivery: 1,
      short_message: `node-smpp interop ${index}`,
    }, (resp) => {
      --inFlight;
      if (resp.command_status === 0 && resp.message_id) {
        ++summary.acked;
        idToMessage.set(resp.message_id, index);
        settle(resp.message_id);
      } else {
        ++summary.failed;
      }
      pump(session);
      maybeDone(session);
    });
  }
}

const session = smpp.connect({host: options.host, port: options.port}, () => {
  session.socket.setNoDelay(true);  // small PDUs: do not wait for Nagle
  session.bind_transceiver({system_id: options.systemId, password: options.password}, (resp) => {
    if (resp.command_status !== 0) {
      summary.bind = `status ${resp.command_status}`;
      finish('bind refused');
      return;
    }
    summary.bind = 'ok';
    session.enquire_link((r) => {
      summary.enquire_link = r.command_status === 0 ? 'ok' : `status ${r.command_status}`;
    });
    pump(session);
    maybeDone(session);  // COUNT 0
  });
});

session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  if ((pdu.esm_class & 0x04) === 0) return;  // an MO message, not a receipt
  ++summary.receipts;
  const receipt = receiptOf(pdu);
  if (!receipt.id) {
    ++summary.unmatched;
    return;
  }
  if (!receiptsById.has(receipt.id)) receiptsById.set(receipt.id, []);
  receiptsById.get(receipt.id).push(receipt);
  settle(receipt.id);
  maybeDone(session);
});
session.on('enquire_link', (pdu) => session.send(pdu.response()));
session.on('unbind', (pdu) => {
  session.send(pdu.response());
  finish('the SMSC unbound us');
});
session.on('error', (error) => finish(`socket: ${error.code || error.message}`));
session.on('close', () => finish('connection closed early'));
