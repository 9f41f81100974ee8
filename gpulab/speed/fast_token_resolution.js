"use strict";
/**
 * Preloaded into the jsii kernel (fast_import.py). Saves: 1.15× (0.97–1.34×) of a
 * synth of every shipped environment (alternating runs, 2026-12-07). Depends
 * on: cdktf 0.21.0's `resolve` in `lib/tokens/private/resolve.js`, by the
 * SHA-256 of its source text (RESOLVE_DIGEST); any other is left alone.
 *
 * cdktf resolves every element of a stack twice when it synthesizes (to
 * prepare cross-stack references, then to write). For every value of that
 * walk, down to each key and plain string, it builds a resolution context (an
 * object, two closures, a post-processor, an array), copies the key path, joins
 * it into a string only an error message reads, and scans strings with three
 * token regular expressions: about half of cdktf's synthesis time.
 *
 * `resolveFast` is the same walk, branch for branch and call for call, without
 * the waste: the key path is a linked list, joined only for an error; a context
 * anything can see (a resolver, a token, a post-processor) is made exactly as
 * cdktf makes it, at the same moment, and one made only to recurse is replaced
 * by the four fields the recursion reads (`suppressBraces`, `ignoreEscapes`,
 * `warnEscapes`, `iteratorContext`); a string is scanned for tokens only if it
 * holds "{TfToken[", which each pattern needs. Resolvers, tokens and
 * post-processors get the same arguments in the same order, and errors are
 * cdktf's own, with the same paths.
 */
const { replaceExportOnLoad, sourceDigest, switchedOn } = require("./preload_support");

const RESOLVE_FILE = /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]resolve\.js$/;
const RESOLVE_DIGEST = "c994da7dc9aece4b95bffbf35fd85f4955af1ed66f225914ac27089192ce14da";
const TOKEN_MARKER = "{TfToken[";

/** One step of a key path: `parent`'s path plus `key`, `depth` keys long. */
function pathStep(parent, key) {
  return { parent, key, depth: parent ? parent.depth + 1 : 1 };
}

/** The linked path of a cdktf key path array (undefined stays undefined). */
function pathOf(keys) {
  if (keys === undefined) return undefined;
  let path = null;
  for (const key of keys) path = pathStep(path, key);
  return path;
}

/** The path as cdktf's error messages spell it: "/a/b/c". */
function pathName(path) {
  const keys = [];
  for (let step = path; step; step = step.parent) keys.push(step.key);
  return "/" + keys.reverse().join("/");
}

/** The fields of a previous context that a recursion reads, as they are now. */
function inherited(previous) {
  return {
    suppressBraces: previous?.suppressBraces,
    ignoreEscapes: previous?.ignoreEscapes,
    warnEscapes: previous?.warnEscapes,
    iteratorContext: previous?.iteratorContext,
  };
}

/** A context exactly as cdktf's `makeContext` makes it, and its post-processor. */
function makeContext(walk, scope, preparing, resolver, path, previous, appendPath) {
  const newPath = appendPath !== undefined ? pathStep(path, appendPath) : path;
  let postProcessor;
  const context = {
    preparing,
    scope,
    suppressBraces: previous?.suppressBraces,
    ignoreEscapes: previous?.ignoreEscapes,
    warnEscapes: previous?.warnEscapes,
    iteratorContext: previous?.iteratorContext,
    registerPostProcessor(pp) {
      postProcessor = pp;
    },
    resolve(x) {
      return walk(x, scope, preparing, resolver, newPath, context);
    },
  };
  return [
    context,
    {
      postProcess(x) {
        return postProcessor ? postProcessor.postProcess(x, context) : x;
      },
    },
  ];
}

/**
 * A drop-in for the `resolve` of `resolveModule` (cdktf's resolve.js): it
 * takes the same options, returns the same value, and uses that module's own
 * siblings (encoding, token map, errors).
 */
function fastResolver(resolveModule) {
  const encoding = resolveModule.require("./encoding");
  const tokenMapModule = resolveModule.require("./token-map");
  const resolvable = resolveModule.require("../resolvable");
  const tokenModule = resolveModule.require("../token");
  const errors = resolveModule.require("../../errors");
  const tokenMap = tokenMapModule.TokenMap.instance();
  const lookupToken = tokenMap.lookupToken.bind(tokenMap);

  /**
   * cdktf's walk over `obj`. `path` is the key path so far (linked; undefined
   * where cdktf's prefix is), `previous` the context whose fields it inherits.
   */
  function walk(obj, scope, preparing, resolver, path, previous) {
    if (path && path.depth > 200) {
      throw errors.unableToResolveCircularReference(pathName(path));
    }
    if (typeof obj === "undefined") {
      return undefined;
    }
    if (obj === null) {
      return null;
    }
    if (typeof obj === "function") {
      throw errors.cannotResolveFunction(pathName(path), obj);
    }
    const { TokenString } = encoding;
    if (typeof obj === "string") {
      const marked = obj.includes(TOKEN_MARKER);
      if (marked && TokenString.forListToken(obj).test()) {
        throw errors.encodedListTokenInScalarStringContext();
      }
      const { Token } = tokenModule;
      if (obj === Token.STRING_MAP_TOKEN_VALUE || obj === Token.ANY_MAP_TOKEN_VALUE) {
        throw errors.encodedMapTokenInScalarStringContext();
      }
      let str = obj;
      if (marked) {
        const tokenStr = TokenString.forString(str, !previous?.ignoreEscapes, previous?.warnEscapes);
        if (tokenStr.test()) {
          const fragments = tokenStr.split(lookupToken);
          str = resolver.resolveString(fragments, makeContext(walk, scope, preparing, resolver, path, previous)[0]);
        }
      }
      const tokenNumberStr = TokenString.forNumbers(str);
      if (tokenNumberStr.test()) {
        const fragments = tokenNumberStr.split((id) => tokenMapModule.TokenMap.instance().lookupNumberToken(parseFloat(id)));
        str = fragments.mapTokens(makeContext(walk, scope, preparing, resolver, path, previous)[0]).join(new resolvable.StringConcat());
      }
      return str;
    }
    if (typeof obj === "number") {
      if (obj === tokenModule.Token.NUMBER_MAP_TOKEN_VALUE) {
        throw errors.encodedMapTokenInScalarNumberContext();
      }
      const token = tokenMapModule.TokenMap.instance().lookupNumberToken(obj);
      return token === undefined ? obj : makeContext(walk, scope, preparing, resolver, path, previous)[0].resolve(token);
    }
    // eslint-disable-next-line no-instanceof/no-instanceof
    if (typeof obj !== "object" || obj instanceof Date) {
      return obj;
    }
    if (Array.isArray(obj)) {
      if (obj.some((x) => typeof x === "string" && x.includes(TOKEN_MARKER) && TokenString.forListToken(x).test())) {
        return resolver.resolveList(obj, makeContext(walk, scope, preparing, resolver, path, previous)[0]);
      }
      if (encoding.containsNumberListTokenElement(obj)) {
        return resolver.resolveNumberList(obj, makeContext(walk, scope, preparing, resolver, path, previous)[0]);
      }
      return obj
        .map((x, i) => walk(x, scope, preparing, resolver, pathStep(path, `${i}`), inherited(previous)))
        .filter((x) => typeof x !== "undefined");
    }
    if (Object.keys(obj).some((x) => typeof x === "string" && x.includes(TOKEN_MARKER) && TokenString.forMapToken(x).test())) {
      return resolver.resolveMap(obj, makeContext(walk, scope, preparing, resolver, path, previous)[0]);
    }
    if (encoding.unresolved(obj)) {
      const [tokenContext, postProcessor] = makeContext(walk, scope, preparing, resolver, path, previous);
      return resolver.resolveToken(obj, tokenContext, postProcessor);
    }
    if (obj._children !== undefined && obj._metadata !== undefined) {
      throw errors.constructsCannotBeResolved(pathName(path));
    }
    const result = {};
    for (const key of Object.keys(obj)) {
      const resolvedKey = walk(key, scope, preparing, resolver, path, inherited(previous));
      if (typeof resolvedKey !== "string") {
        throw errors.mapKeyMustResolveToString(pathName(path), key, resolvedKey);
      }
      const value = walk(obj[key], scope, preparing, resolver, pathStep(path, key), inherited(previous));
      if (typeof value === "undefined") {
        continue;
      }
      result[resolvedKey] = value;
    }
    return result;
  }

  return function resolveFast(obj, options) {
    return walk(obj, options.scope, options.preparing, options.resolver, pathOf(options.prefix), options.previousContext);
  };
}

/** The fast `resolve` for cdktf 0.21.0's resolve module, or null for any other. */
function replaceResolve(resolveModule) {
  if (sourceDigest(resolveModule.exports.resolve) !== RESOLVE_DIGEST) return null;
  const resolveFast = fastResolver(resolveModule);
  resolveFast.gpulabFast = true;
  return resolveFast;
}

if (switchedOn("GPULAB_FAST_TOKEN_RESOLUTION")) replaceExportOnLoad("resolve", RESOLVE_FILE, "resolve", replaceResolve);

module.exports = { fastResolver, pathName, pathOf };
