// Preloaded into the Microsoft 365 Agents Playground (node -r playground/loopback-only.cjs) by
// scripts/playground.mjs and the end-to-end test. It keeps the Playground on this machine:
//
//  - servers started without a host (the Playground calls server.listen(port)) bind to 127.0.0.1
//    instead of every interface, so nobody else on the network can drive the anonymous bot through it;
//  - every DNS lookup and socket connection to a host that is not loopback is refused, and reported once
//    per host on stderr. --disable-telemetry only stops the Playground's own events: its bundled Application
//    Insights SDK would still send a heartbeat every 15 minutes, and the UI asks nothing of the server that
//    needs the internet.
'use strict';

const dns = require('node:dns');
const net = require('node:net');

const BIND_HOST = process.env.PLAYGROUND_BIND_HOST || '127.0.0.1';

function isLoopback(host) {
  const bare = String(host)
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

const reported = new Set();
function refused(via, host, port) {
  const target = `${host}${port ? `:${port}` : ''}`;
  if (!reported.has(target)) {
    reported.add(target);
    process.stderr.write(`loopback-only: refused ${via} to ${target} (the Playground stays on loopback)\n`);
  }
  const error = new Error(`loopback-only: ${via} to ${target} refused`);
  error.code = 'ENETUNREACH';
  return error;
}

const originalLookup = dns.lookup;
dns.lookup = function lookup(hostname, ...rest) {
  if (!isLoopback(hostname)) {
    const error = refused('dns.lookup', hostname);
    const callback = rest[rest.length - 1];
    if (typeof callback !== 'function') throw error;
    process.nextTick(() => callback(error));
    return {};
  }
  return originalLookup.call(this, hostname, ...rest);
};
const originalPromisesLookup = dns.promises.lookup;
dns.promises.lookup = function lookup(hostname, ...rest) {
  if (!isLoopback(hostname)) return Promise.reject(refused('dns.promises.lookup', hostname));
  return originalPromisesLookup.call(this, hostname, ...rest);
};

/** The host and port a Socket#connect call aims at; undefined for a Unix socket or pipe. */
function connectTarget(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) {
    if (typeof first.path === 'string' && first.path !== '') return undefined;
    return { host: typeof first.host === 'string' ? first.host : 'localhost', port: first.port };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const target = connectTarget(args);
  if (target && !isLoopback(target.host)) {
    const error = refused('connect', target.host, target.port);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(...args) {
  // listen(port[, backlog][, callback]) and listen({ port }) without a host mean "every interface".
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, BIND_HOST);
  } else if (
    args[0] &&
    typeof args[0] === 'object' &&
    !Array.isArray(args[0]) &&
    args[0].path === undefined &&
    args[0].handle === undefined &&
    args[0].fd === undefined &&
    args[0].host === undefined
  ) {
    args[0] = { ...args[0], host: BIND_HOST };
  } else if (args.length === 0 || typeof args[0] === 'function') {
    args.unshift(0, BIND_HOST);
  }
  return originalListen.apply(this, args);
};
