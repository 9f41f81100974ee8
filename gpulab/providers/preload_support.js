"use strict";
/**
 * What gpulab's kernel preloads share: reading their switches and recognizing
 * the exact cdktf source they were written against.
 */
const crypto = require("crypto");

/** Whether the switch named `name` is on (the kernel inherits it from Python): anything but `off` is. */
function switchedOn(name) {
  return (process.env[name] || "on").trim().toLowerCase() !== "off";
}

/** SHA-256 of a function's source text, to replace it only when it is the one a preload was written against. */
function sourceDigest(fn) {
  return crypto.createHash("sha256").update(Function.prototype.toString.call(fn)).digest("hex");
}

module.exports = { switchedOn, sourceDigest };
