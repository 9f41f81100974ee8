"""Text patches to the direct kernel's copy of jsii's (minified) `program.js`.

A patch is a set of replacements, each of a text that occurs exactly once in
the pinned jsii's `program.js`. A patch applies whole or not at all: where
any of its texts is missing or repeated (another jsii version), the copy keeps
jsii's code for it, and `applied_patches` does not list it, so Python never
relies on a patch the kernel lacks.

- `tarball-digest-hook`: jsii's tarball digest asks `globalThis.gpulabTarballDigest`
  first (tarball_digests.js answers from a memo).
- `claimed-object-ids`: a `create` request may carry the id the new object is
  to be registered under, in `gpulab.objid` (async_creates.py). The kernel
  takes it only if it has the form `<fqn>@<name>` and is free, else the
  create fails with a jsii fault; without it, ids are made as before.
- `lazy-kernel-messages`: the serializer's check that it got type information
  builds its message (a `util.inspect` of the type reference) only when the
  check fails, not on every call; `GPULAB_LAZY_KERNEL_MESSAGES=off` keeps it
  eager, read once when the kernel starts.
- `memoized-type-walks`: two walks of the type system that jsii repeats for
  every struct it deserializes and every object it registers, though their
  answers depend only on types that never change once loaded, are
  remembered: `propertiesOf` (a struct type's properties, its interfaces'
  and bases' merged by object spreads, per fully qualified name) and
  `ObjectTable.removeRedundant` (an object's declared interfaces less those
  its class already implements, per class and interface list; each caller
  gets its own copy of the list). About 3 of the 58 million kernel
  instructions of each extra environment. A walk that throws is not
  remembered. `GPULAB_TYPE_WALK_MEMO=off` walks every time, read on first
  use.
- `claimed-tokens`: a `get` or `invoke` request may carry a token key,
  `gpulab:<n>`, in `gpulab.token` (claimed_tokens.py). The kernel refuses a
  key that is taken or of another form with a jsii fault; otherwise it runs
  the read, and if its answer is one string token (`${TfToken[<key>]}`, a
  key of cdktf's token map) registers the claimed key for the same token and
  answers `${TfToken[gpulab:<n>]}`; any other answer is a jsii fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gpulab.speed import switches

APPLIED_FILE = "gpulab-patches.json"  # beside program.js: the names of the patches its copy holds


@dataclass(frozen=True)
class Patch:
    name: str
    replacements: tuple[tuple[str, str], ...]

    def applies_to(self, program: str) -> bool:
        return all(program.count(original) == 1 for original, _ in self.replacements)

    def apply(self, program: str) -> str:
        for original, patched in self.replacements:
            program = program.replace(original, patched)
        return program


TARBALL_DIGEST_HOOK = Patch(
    "tarball-digest-hook",
    (
        (
            "p.digestFile=function digestFile(e,...p){return readFileChunks(e,()=>{},...p)}",
            "p.digestFile=function digestFile(e,...p){const hash=()=>readFileChunks(e,()=>{},...p);"
            'return"function"==typeof globalThis.gpulabTarballDigest?globalThis.gpulabTarballDigest(e,p,hash):hash()}',
        ),
    ),
)

CLAIMED_OBJECT_IDS = Patch(
    "claimed-object-ids",
    (
        # Kernel.create registers the new object with the id its request claims, if any.
        (
            'V=ze(this,_,"f").registerObject(K,f,null!==(m=e.interfaces)&&void 0!==m?m:[])',
            'V=ze(this,_,"f").registerObject(K,f,null!==(m=e.interfaces)&&void 0!==m?m:[],e["gpulab.objid"])',
        ),
        (
            "registerObject(e,p,m){var f;",
            "registerObject(e,p,m,gpulabObjid){var f;",
        ),
        # ObjectTable.registerObject makes the next id only when none is claimed; a claim must be free and well formed.
        (
            'const F=X(this,y,"m",N).call(this,p);return X(this,_,"f").set(F,{instance:e,fqn:p,interfaces:m})',
            'const F=void 0===gpulabObjid?X(this,y,"m",N).call(this,p):(q=>{if("string"!=typeof q||'
            '!q.startsWith(p+"@")||q.indexOf("@",p.length+1)>=0||X(this,_,"f").has(q))'
            "throw new se.JsiiFault(`Cannot register a ${p} as ${JSON.stringify(q)}: "
            "a claimed id must be a free ${p}@<name>`);return q})(gpulabObjid);"
            'return X(this,_,"f").set(F,{instance:e,fqn:p,interfaces:m})',
        ),
    ),
)

EAGER_TYPE_CHECK = "(0,B.default)(null!=e,`Kernel error: expected type information, got ${(0,K.inspect)(e)}`)"
LAZY_KERNEL_MESSAGES = Patch(
    "lazy-kernel-messages",
    (
        # Read the switch once, before any module of the program runs.
        (
            "var __webpack_modules__={",
            'globalThis.gpulabEagerKernelMessages="off"==='
            f'(process.env.{switches.LAZY_KERNEL_MESSAGES}||"").trim().toLowerCase();var __webpack_modules__={{',
        ),
        # computeSerializationType: assert(typeRef != null, message) only when it fails (or when switched off).
        (EAGER_TYPE_CHECK, f"(null!=e&&!globalThis.gpulabEagerKernelMessages||{EAGER_TYPE_CHECK})"),
    ),
)

# The kernel's memos of type walks, made on first use; null when GPULAB_TYPE_WALK_MEMO=off. (`globalThis.process`:
# the serializer's module has a function of its own named `process`.)
TYPE_WALK_MEMOS = (
    "(void 0===globalThis.gpulabTypeWalks&&(globalThis.gpulabTypeWalks="
    f'"off"===(globalThis.process.env.{switches.TYPE_WALK_MEMO}||"").trim().toLowerCase()?null:'
    "{properties:new Map,interfaces:new Map}),globalThis.gpulabTypeWalks)"
)
MEMOIZED_TYPE_WALKS = Patch(
    "memoized-type-walks",
    (
        # propertiesOf(type, lookup): a call from outside (no cycle-check set yet) asks the memo, by fqn.
        (
            "function propertiesOf(e,p,m=new Set){",
            "function propertiesOf(e,p,m){const gpulabMemos=void 0===m?" + TYPE_WALK_MEMOS + ":null;"
            "if(!gpulabMemos||!N.isClassOrInterfaceType(e))return gpulabPropertiesOf(e,p,m);"
            "let y=gpulabMemos.properties.get(e.fqn);"
            "return void 0===y&&(y=gpulabPropertiesOf(e,p),gpulabMemos.properties.set(e.fqn,y)),y}"
            "function gpulabPropertiesOf(e,p,m=new Set){",
        ),
        # ObjectTable.removeRedundant(interfaces, fqn): jsii's body runs once per class and interface list.
        (
            "B=function _ObjectTable_removeRedundant(e,p){if(!e||0===e.length)return;",
            "B=function _ObjectTable_removeRedundant(e,p){if(!e||0===e.length)return;"
            "const gpulabMemos=" + TYPE_WALK_MEMOS + ',gpulabKey=p+"\\0"+e.join("\\0");'
            "if(gpulabMemos&&gpulabMemos.interfaces.has(gpulabKey)){const r=gpulabMemos.interfaces.get(gpulabKey);"
            "return r&&r.slice()}const gpulabResult=function(e,p){",
        ),
        (
            "return m.size>0?Array.from(m).sort():void 0};class InterfaceCollection",
            "return m.size>0?Array.from(m).sort():void 0}.call(this,e,p);"
            "return gpulabMemos&&gpulabMemos.interfaces.set(gpulabKey,gpulabResult&&gpulabResult.slice()),"
            "gpulabResult};"
            "class InterfaceCollection",
        ),
    ),
)

# A get or invoke that claims a token key (claimed_tokens.py): the key must be free and of the form gpulab:<n>, the
# read's answer one string token, which the key then names too; the answer is the claimed token's text.
CLAIMED_TOKENS = Patch(
    "claimed-tokens",
    (
        (
            "const B=F.call(this.kernel,e);",
            'const B=void 0===e["gpulab.token"]?F.call(this.kernel,e):((claim,read,Fault)=>{'
            "const map=()=>global.__cdktfTokenMap&&global.__cdktfTokenMap.stringTokenMap,"
            'what="the "+e.api+" of "+(e.property||e.method);'
            'if("get"!==e.api&&"invoke"!==e.api||"string"!=typeof claim||!/^gpulab:[0-9]+$/.test(claim)'
            "||map()&&map().has(claim))"
            'throw new Fault("Cannot claim the token key "+JSON.stringify(claim)+" for "+what+'
            '": a claimed token key must be a free gpulab:<number>, for a get or an invoke");'
            'const answer=read(),field="get"===e.api?"value":"result",value=answer[field],tokens=map(),'
            r'match="string"==typeof value&&/^\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}$/.exec(value);'
            "if(!match||!tokens||!tokens.has(match[1]))"
            'throw new Fault("Cannot answer "+what+" with the claimed token "+claim+": its answer, "'
            '+String(JSON.stringify(value)).slice(0,200)+", is not one string token");'
            'tokens.set(claim,tokens.get(match[1]));return{[field]:"${TfToken["+claim+"]}"}'
            '})(e["gpulab.token"],()=>F.call(this.kernel,e),f.JsiiFault);',
        ),
    ),
)

PATCHES = (TARBALL_DIGEST_HOOK, CLAIMED_OBJECT_IDS, LAZY_KERNEL_MESSAGES, MEMOIZED_TYPE_WALKS, CLAIMED_TOKENS)


def patch_program(program: str) -> tuple[str, list[str]]:
    """`program` with every patch that applies to it, and those patches' names."""
    applied = []
    for patch in PATCHES:
        if patch.applies_to(program):
            program = patch.apply(program)
            applied.append(patch.name)
    return program, applied


def applied_patches(program_file: Path) -> frozenset[str]:
    """The names of the patches the copy holding `program_file` was made with (none if unknown)."""
    try:
        names = json.loads((program_file.parent / APPLIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str)) if isinstance(names, list) else frozenset()
