"use strict";
/**
 * Preloaded into the jsii kernel with NODE_OPTIONS=--require (see fast_import.py).
 *
 * cdktf records where every token was created (`creationStack`, a list of
 * "function (file:line:column)" lines) so that an error about a token can say
 * where it came from. It formats the whole stack into strings at once, for
 * each of the thousands of tokens a synth makes: in a Compute Engine disk
 * that is most of the constructor's time, and no string is ever read unless
 * something fails. Here cdktf's `captureStackTrace` still captures the stack
 * at the same moment and with the same frames (V8 records them when asked),
 * but returns an array that formats them into those same lines the first time
 * anything reads it. Error messages read it and get what they always got.
 */
const Module = require("module");

const STACK_TRACE_FILE = /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/;

/** Whether GPULAB_LAZY_STACK_TRACES leaves this on (the kernel inherits it from Python). */
function switchedOn() {
  return (process.env.GPULAB_LAZY_STACK_TRACES || "on").trim().toLowerCase() !== "off";
}

/** A real array (Array.isArray holds) whose items `produce()` returns, computed on first access. */
function lazyArray(produce) {
  const items = [];
  let produced = false;
  const filled = () => {
    if (!produced) {
      produced = true;
      items.push(...produce());
    }
    return items;
  };
  return new Proxy(items, {
    get: (target, property, receiver) => Reflect.get(filled(), property, receiver),
    set: (target, property, value, receiver) => Reflect.set(filled(), property, value, receiver),
    has: (target, property) => Reflect.has(filled(), property),
    ownKeys: () => Reflect.ownKeys(filled()),
    getOwnPropertyDescriptor: (target, property) => Reflect.getOwnPropertyDescriptor(filled(), property),
    defineProperty: (target, property, descriptor) => Reflect.defineProperty(filled(), property, descriptor),
    deleteProperty: (target, property) => Reflect.deleteProperty(filled(), property),
  });
}

/** cdktf's captureStackTrace (same frames, same lines), formatted when first read. */
function captureStackTraceLazily(below) {
  below = below || captureStackTraceLazily;
  const holder = { stack: "" };
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(holder, below);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  return lazyArray(() =>
    holder.stack
      ? holder.stack
          .split("\n")
          .slice(1)
          .map((line) => line.replace(/^\s*at\s+/, ""))
      : [],
  );
}

const ordinaryLoad = Module._load;
function loadLazyStackTraces(request, parent) {
  const exports = ordinaryLoad.apply(this, arguments);
  if (request.endsWith("stack-trace") && exports && typeof exports.captureStackTrace === "function") {
    const filename = Module._resolveFilename(request, parent);
    if (STACK_TRACE_FILE.test(filename) && exports.captureStackTrace !== captureStackTraceLazily) {
      exports.captureStackTrace = captureStackTraceLazily;
    }
  }
  return exports;
}

if (switchedOn()) Module._load = loadLazyStackTraces;

module.exports = { lazyArray, captureStackTraceLazily };
