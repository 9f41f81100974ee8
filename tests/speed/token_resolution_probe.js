// Exercises cdktf's token resolution against the cdktf that package.json pins, and prints what
// it produced as JSON: a synthesized app with two stacks (expressions, functions, escapes, lazy
// values, iterators, dynamic blocks, number, list and map tokens, a cross-stack reference) and
// direct resolutions through a resolver that records each call it gets, errors included, and
// the warnings cdktf printed.
// test_fast_token_resolution.py runs it with and without gpulab's preload and compares.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdktf = require("cdktf");
const { resolve: resolveModuleResolve } = require("cdktf/lib/tokens/private/resolve");
const {
  App, TerraformStack, TerraformVariable, TerraformLocal, TerraformOutput, TerraformResource,
  TerraformIterator, Lazy, Token, Tokenization, Fn, Op, DefaultTokenResolver, StringConcat, ref, conditional,
} = cdktf;

const warnings = [];
console.warn = (...args) => warnings.push(args.join(" "));

class Thing extends TerraformResource {
  constructor(scope, id, attributes) {
    super(scope, id, { terraformResourceType: "terraform_data" });
    this.attributes = attributes;
  }
  synthesizeAttributes() {
    return this.attributes;
  }
}

function buildApp(outdir) {
  const app = new App({ outdir });
  const source = new TerraformStack(app, "source");
  const size = new TerraformVariable(source, "size", { type: "number", default: 3 });
  const names = new TerraformVariable(source, "names", { type: "list(string)", default: ["a", "b"] });
  const tags = new TerraformVariable(source, "tags", { type: "map(string)", default: { team: "ml" } });
  const shared = new TerraformLocal(source, "shared", {
    greeting: `hello-\${var.unknown}-${size.stringValue}`,
    escaped: "literal ${not.a.token} and $${double}",
    joined: Fn.join(",", names.listValue),
    joinedLazy: Fn.join("-", Lazy.anyValue({ produce: () => ["a", size.stringValue, { k: [size.stringValue] }] })),
    joinedPlain: Fn.join("-", ["a", size.stringValue, `b${size.stringValue}`, [{ c: size.stringValue }]]),
    number: Token.asString(Token.asNumber(size.numberValue)),
    arithmetic: Op.add(size.numberValue, 2),
    chosen: conditional(Op.gt(size.numberValue, 1), "many", "few"),
    lookup: Fn.lookup(tags.value, "team", "none"),
    formatted: Fn.format("%s-%d", ["x", size.numberValue]),
    escapedInFunction: Fn.lower(`\${keep}-${size.stringValue}`),
    map: tags.value,
    lazy: Lazy.stringValue({ produce: () => `lazy-${size.stringValue}` }),
    lazyAny: Lazy.anyValue({ produce: () => ({ nested: [1, undefined, { deep: names.listValue }] }) }),
    numberInString: `count=${Token.asString(size.numberValue)}`,
    reference: ref("data.x.y.z"),
    nothing: undefined,
    empty: [],
  });
  const iterator = TerraformIterator.fromList(names.listValue);
  new Thing(source, "thing", {
    input: { list: names.listValue, each: iterator.value, first: Fn.element(names.listValue, 0) },
    rule: iterator.dynamic({ name: iterator.value, port: size.numberValue }),
    for_each_names: iterator.forExpressionForList(`upper(${iterator.value})`),
    count_map: Token.asStringMap(tags.value),
    "${weird}key": "value",
    sparse: [1, , 3],
    date: new Date(0),
  });
  const consumer = new TerraformStack(app, "consumer");
  new TerraformOutput(consumer, "from-source", { value: shared.expression });
  new TerraformOutput(consumer, "plain", { value: { a: [1, 2, { b: "c" }] }, sensitive: true });
  new TerraformOutput(source, "size-twice", { value: Op.mul(size.numberValue, 2) });
  return app;
}

function readTree(dir) {
  const tree = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    tree[entry.name] = entry.isDirectory() ? readTree(full) : fs.readFileSync(full, "utf-8");
  }
  return tree;
}

class RecordingResolver extends DefaultTokenResolver {
  constructor(log) {
    super(new StringConcat());
    this.log = log;
  }
  record(method, context) {
    const { preparing, suppressBraces, ignoreEscapes, warnEscapes, iteratorContext } = context;
    this.log.push([method, preparing, suppressBraces, ignoreEscapes, warnEscapes, iteratorContext]);
  }
  resolveToken(t, context, postProcessor) {
    this.record("token", context);
    return super.resolveToken(t, context, postProcessor);
  }
  resolveString(fragments, context) {
    this.record("string", context);
    return super.resolveString(fragments, context);
  }
  resolveList(list, context) {
    this.record("list", context);
    return super.resolveList(list, context);
  }
  resolveNumberList(list, context) {
    this.record("numberList", context);
    return super.resolveNumberList(list, context);
  }
  resolveMap(map, context) {
    this.record("map", context);
    return super.resolveMap(map, context);
  }
}

function directResolutions(scope) {
  const circular = Lazy.anyValue({ produce: () => ({ again: circular }) });
  const listToken = Token.asList(Lazy.anyValue({ produce: () => ["x", "y"] }));
  const numberList = Token.asNumberList(Lazy.anyValue({ produce: () => [1, 2] }));
  const keyToken = Lazy.stringValue({ produce: () => "resolved-key" });
  const numericKey = Token.asString(Lazy.numberValue({ produce: () => 7 }));
  // A token that sets every inherited field on its context, then resolves plain maps and lists.
  const flagging = {
    resolve(context) {
      Object.assign(context, { suppressBraces: true, ignoreEscapes: true, warnEscapes: false, iteratorContext: "FOR_EXPRESSION" });
      return context.resolve({ inMap: { s: `x-${keyToken}` }, inList: [`y-${keyToken}`, [`z-${keyToken}`]], [`k-${keyToken}`]: 1 });
    },
  };
  const cases = {
    flagging,
    scalars: ["plain", 12.5, true, null, undefined],
    nested: { a: [1, [2, [3, { b: undefined, c: "d" }]]], e: {} },
    tokens: { list: listToken, numbers: numberList, escape: "$${keep} ${also}", key: { [keyToken]: 1 } },
    stringMap: Token.asStringMap(Lazy.anyValue({ produce: () => ({ k: "v" }) })),
    function: () => 1,
    construct: { inside: scope },
    circular,
    listInString: { value: `${listToken[0]}` },
    mapKeyNotString: { [numericKey]: 1 },
    mapValueAsString: Token.STRING_MAP_TOKEN_VALUE,
    mapValueAsNumber: Token.NUMBER_MAP_TOKEN_VALUE,
  };
  const results = {};
  for (const [name, value] of Object.entries(cases)) {
    for (const preparing of [false, true]) {
      const log = [];
      let outcome;
      try {
        outcome = { value: Tokenization.resolve(value, { scope, preparing, resolver: new RecordingResolver(log) }) };
      } catch (error) {
        outcome = { error: String(error.message).split("\n")[0] };
      }
      results[`${name}/${preparing}`] = { ...outcome, log };
    }
  }
  return results;
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "gpulab-resolve-"));
try {
  const app = buildApp(outdir);
  const direct = directResolutions(app.node.findChild("source"));
  app.synth();
  console.log(JSON.stringify({ fast: Boolean(resolveModuleResolve.gpulabFast), synthesized: readTree(outdir), direct, warnings }));
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
