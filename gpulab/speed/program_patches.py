"""Text patches to the direct kernel's copy of jsii's (minified) `program.js`.

Saves: what tarball_digests.js, async_creates.py and claimed_tokens.py
measure, which rely on these. Depends on: jsii 1.142's minified `program.js`.

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

PATCHES = (TARBALL_DIGEST_HOOK, CLAIMED_OBJECT_IDS, CLAIMED_TOKENS)


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
