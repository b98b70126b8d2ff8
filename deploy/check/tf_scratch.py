#!/usr/bin/env python3
"""Makes a scratch copy of terraform/ that the AWS provider 5.100 (the only one this machine has,
in a local filesystem mirror) can validate and plan.

The module needs provider >= 6.28. The differences that matter here are mechanical:
  * the version constraint;
  * `data.aws_region.current.region` is `.name` in 5.x;
  * `aws_bedrockagentcore_agent_runtime` does not exist in 5.x: each such resource becomes a
    `terraform_data` whose `input` holds the very same argument expressions (blocks turned into
    objects, `dynamic` blocks into objects with their `for_each` and `content`), so every
    expression is still evaluated; `agent_runtime_arn` / `_version` become fake outputs.
Everything else (IAM, Lambda, DynamoDB, ECR, Secrets Manager, EC2, EKS resources) is validated
against the real 5.100 schema. Usage: tf_scratch.py SRC_TERRAFORM_DIR DEST_DIR
"""

import re
import shutil
import sys
from pathlib import Path

RUNTIME = "aws_bedrockagentcore_agent_runtime"


def block_end(text: str, open_brace: int) -> int:
    """Index just past the brace that closes the one at `open_brace` (strings respected)."""
    depth, i, in_str = 0, open_brace, False
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced braces")


def to_object_body(body: str) -> str:
    """Turns an HCL block body into object-constructor lines (`x {` -> `x = {`)."""
    out = []
    for line in body.splitlines():
        m = re.match(r'^(\s*)dynamic\s+"(\w+)"\s*\{\s*$', line)
        if m:
            out.append(f"{m.group(1)}{m.group(2)} = {{")
            continue
        m = re.match(r"^(\s*)(\w+)\s*\{\s*$", line)
        if m:
            out.append(f"{m.group(1)}{m.group(2)} = {{")
            continue
        out.append(line)
    return "\n".join(out)


def stub_runtime(name: str, body: str) -> str:
    """A terraform_data carrying the runtime's arguments as input."""
    meta, args = [], []
    lines = body.strip("\n").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        # Meta-arguments are the ones at the top level of the block (two-space indent).
        if re.match(r"^  (for_each|count)\s*=", line):
            meta.append(line)
        elif re.match(r"^  (depends_on\s*=|lifecycle\s*\{)", line):
            # copy the whole meta construct verbatim
            chunk = [line]
            depth = line.count("{") - line.count("}") + line.count("[") - line.count("]")
            while depth > 0:
                i += 1
                chunk.append(lines[i])
                depth += lines[i].count("{") - lines[i].count("}") + lines[i].count("[") - lines[i].count("]")
            meta.append("\n".join(chunk))
        else:
            args.append(line)
        i += 1
    name_expr = None
    for line in args:
        m = re.match(r"^\s*agent_runtime_name\s*=\s*(.+)$", line)
        if m:
            name_expr = m.group(1).strip()
    if name_expr is None:
        raise ValueError(f"{name}: no agent_runtime_name")
    fake = (
        '"arn:${local.partition}:bedrock-agentcore:${local.region}:${local.account_id}:runtime/'
        + "${" + name_expr + "}" + '-Stub012345"'
    )
    return (
        f'resource "terraform_data" "agent_runtime_{name}" {{\n'
        + "\n".join(meta)
        + "\n  input = {\n"
        + to_object_body("\n".join(args))
        + f"\n    agent_runtime_arn     = {fake}\n"
        + '    agent_runtime_version = "1"\n  }\n}\n'
    )


def transform(src: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    for tf in dest.rglob("*.tf"):
        text = tf.read_text()
        text = text.replace('version = "~> 6.28"', 'version = "5.100.0"')
        text = text.replace("data.aws_region.current.region", "data.aws_region.current.name")
        stubs = []
        pattern = re.compile(r'resource\s+"' + RUNTIME + r'"\s+"(\w+)"\s*\{')
        while (m := pattern.search(text)) is not None:
            end = block_end(text, m.end() - 1)
            body = text[m.end():end - 1]
            stubs.append((m.group(1), body))
            text = text[:m.start()] + text[end:]
        text = re.sub(RUNTIME + r"\.(\w+)", r"terraform_data.agent_runtime_\1", text)
        text = re.sub(r"\.agent_runtime_(arn|version)\b", r".output.agent_runtime_\1", text)
        for name, body in stubs:
            text += "\n" + stub_runtime(name, body)
        tf.write_text(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    transform(Path(sys.argv[1]), Path(sys.argv[2]))
