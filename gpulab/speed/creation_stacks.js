"use strict";
/**
 * Preloaded into the jsii kernel (fast_import.py). Saves: about 5 MB, and no
 * measurable time on this machine (benchmark `speedups` section, 2026-12-07).
 * Depends on: cdktf's `lib/tokens/private/stack-trace.js` export `captureStackTrace`.
 *
 * cdktf records where every token was created (`creationStack`) so that an
 * error about a token can say where it came from: V8 walks the whole stack for
 * each of thousands of tokens and cdktf formats it at once. For a Python
 * program those frames are the kernel's and cdktf's, never the program's.
 *
 * GPULAB_SKIP_CREATION_STACKS (the command's default) records none: one line
 * says so and how to turn recording back on, as aws-cdk-lib does without
 * CDK_DEBUG. With it off, GPULAB_LAZY_STACK_TRACES (the library opt-in) keeps
 * the same frames, captured at the same moment, and formats them into cdktf's
 * lines the first time anything reads them.
 */
const { replaceExportOnLoad, switchedOn } = require("./preload_support");

const STACK_TRACE_FILE = /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/;

const NOT_RECORDED = "creation stacks are not recorded (GPULAB_SKIP_CREATION_STACKS=off records them)";

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

/** In place of cdktf's captureStackTrace: no frames, one line that says how to get them. */
function skipCreationStack() {
  return [NOT_RECORDED];
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

/** The replacement the switches ask for, or null for cdktf's own. */
function replacement() {
  if (switchedOn("GPULAB_SKIP_CREATION_STACKS")) return skipCreationStack;
  if (switchedOn("GPULAB_LAZY_STACK_TRACES")) return captureStackTraceLazily;
  return null;
}

const chosen = replacement();
if (chosen) replaceExportOnLoad("stack-trace", STACK_TRACE_FILE, "captureStackTrace", () => chosen);

module.exports = { lazyArray, captureStackTraceLazily, skipCreationStack, NOT_RECORDED };
