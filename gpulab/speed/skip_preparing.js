"use strict";
/**
 * Preloaded into the jsii kernel with NODE_OPTIONS=--require (see fast_import.py).
 *
 * cdktf's `App.synth` prepares every stack before it writes any: it resolves
 * each element once with `preparing: true`, throws the result away, and
 * resolves it again to write it. In cdktf 0.21.0 that first pass does one
 * thing the second does not: a `Reference` to another stack's element
 * registers a cross-stack reference (an output, a remote state, a
 * dependency). It also runs every token's `resolve` once more, which matters
 * only for tokens with side effects (a `Lazy` producer, a resolvable written
 * in Python). The pass is about half of the app's synthesis.
 *
 * An app that carries the context `gpulab:skipPreparing` (gpulab.synth.app sets
 * it on the app it builds from the environment files, which holds neither
 * cross-stack references nor such tokens) is synthesized without that pass
 * when every token cdktf registered is one of its Terraform expressions
 * (references, function calls, property accesses, …, whose `resolve` only
 * computes a string) and no construct has an aspect (cdktf applies aspects
 * as it writes a stack, so starting over would apply them twice). While its
 * stacks are written, each `Reference` resolved is checked: one that points
 * into another stack means the pass was needed, and the app is synthesized
 * again by cdktf's own `App.synth`, from the start, as if nothing had been
 * skipped.
 *
 * Only when `App.synth`, `TerraformStack.prepareStack` and `Reference.resolve`
 * have exactly cdktf 0.21.0's source (checked by SHA-256); otherwise every app
 * is synthesized by cdktf's own `App.synth`.
 */
const { replaceExportOnLoad, sourceDigest, switchedOn } = require("./preload_support");

const APP_FILE = /[\\/]cdktf[\\/]lib[\\/]app\.js$/;
const SYNTH_DIGEST = "e8cbafe6ec95f0b0545584652accc957d5f9401440368046d45f148a81f59107";
const PREPARE_STACK_DIGEST = "7f39aeeb3fcd23a805b80298cc7a9a096172ded3a273141b6b9bfd6d98692315";
const REFERENCE_RESOLVE_DIGEST = "04e95cd69ef257c1b5c3f22f4eeb0836c893ac09d91703b9571ca7cda9025648";
const MARKER = "gpulab:skipPreparing";

/** cdktf's parts this needs, or null when they are not 0.21.0's (asked at the first synth: all of cdktf is loaded). */
function recognize(appModule, cdktfSynth) {
  if (sourceDigest(cdktfSynth) !== SYNTH_DIGEST) {
    return null;
  }
  const { TerraformStack } = appModule.require("./terraform-stack");
  const expressions = appModule.require("./tfExpression");
  const Reference = expressions.ref("x").constructor;
  const TFExpression = Object.getPrototypeOf(Reference);
  if (
    sourceDigest(TerraformStack.prototype.prepareStack) !== PREPARE_STACK_DIGEST ||
    sourceDigest(Reference.prototype.resolve) !== REFERENCE_RESOLVE_DIGEST
  ) {
    return null;
  }
  const pure = new Set([
    Reference,
    expressions.rawString("x").constructor,
    expressions.call("f", []).constructor,
    expressions.propertyAccess("x", []).constructor,
    expressions.conditional(true, 1, 0).constructor,
    expressions.forExpression([], "x").constructor,
    expressions.OperatorExpression,
  ]);
  const { Aspects } = appModule.require("./aspect");
  return { TerraformStack, Reference, TFExpression, Aspects, pure, errors: appModule.require("./errors") };
}

/** Whether every token in cdktf's token map is a Terraform expression whose `resolve` has no side effect. */
function onlyPureTokens(cdktf) {
  const tokens = globalThis.__cdktfTokenMap;
  if (!tokens) {
    return true;
  }
  const isPure = (token) =>
    cdktf.pure.has(token.constructor) ||
    (token.constructor.name === "Dependable" && Object.getPrototypeOf(token.constructor) === cdktf.TFExpression);
  for (const map of [tokens.stringTokenMap, tokens.numberTokenMap]) {
    for (const token of map.values()) {
      if (!isPure(token)) {
        return false;
      }
    }
  }
  return true;
}

/** Whether none of `nodes` (an app's constructs) has an aspect of its own. */
function noAspects(nodes, cdktf) {
  return nodes.every((node) => cdktf.Aspects.of(node).all.length === 0);
}

/** Watch each `Reference` resolved while `watch.on`: one into another stack sets `watch.foreign`. */
function watchReferences(cdktf) {
  const watch = { on: false, foreign: false };
  const resolveReference = cdktf.Reference.prototype.resolve;
  cdktf.Reference.prototype.resolve = function resolve(context) {
    if (watch.on && this.originStack && this.originStack !== cdktf.TerraformStack.of(context.scope)) {
      watch.foreign = true;
    }
    return resolveReference.call(this, context);
  };
  return watch;
}

/**
 * Synthesize `app`, whose constructs are `nodes`, without the preparing pass; false when the pass
 * turns out to be needed (start over then).
 */
function synthWithoutPreparing(app, nodes, cdktf) {
  const session = { outdir: app.outdir, skipValidation: app.skipValidation, manifest: app.manifest };
  const stacks = nodes.filter(cdktf.TerraformStack.isStack);
  cdktf.watch.on = true;
  cdktf.watch.foreign = false;
  let failure = null;
  try {
    stacks.forEach((stack) => stack.ensureBackendExists()); // prepareStack, less its preparing resolve
    stacks.forEach((stack) => stack.synthesizer.synthesize(session));
    if (!app.skipValidation) {
      const validations = app.node.validate();
      if (validations.length) {
        throw cdktf.errors.appValidationFailure(validations.join("\n  "));
      }
    }
  } catch (error) {
    failure = error;
  } finally {
    cdktf.watch.on = false;
  }
  if (cdktf.watch.foreign) {
    app.manifest.stacks = {};
    return false;
  }
  if (failure) {
    throw failure;
  }
  app.manifest.writeToFile();
  return true;
}

if (switchedOn("GPULAB_SKIP_PREPARING")) {
  replaceExportOnLoad("/app", APP_FILE, "App", (module) => {
    const App = module.exports.App;
    const cdktfSynth = App.prototype.synth;
    let cdktf; // undefined until the first synth, then null if cdktf is not 0.21.0
    App.prototype.synth = function synth() {
      if (cdktf === undefined) {
        cdktf = recognize(module, cdktfSynth);
        if (cdktf) {
          cdktf.watch = watchReferences(cdktf);
        }
      }
      const nodes = cdktf && this.node.tryGetContext(MARKER) === true ? this.node.findAll() : null;
      const skip = nodes !== null && onlyPureTokens(cdktf) && noAspects(nodes, cdktf);
      if (!skip || !synthWithoutPreparing(this, nodes, cdktf)) {
        cdktfSynth.call(this);
      }
    };
    return App;
  });
}
