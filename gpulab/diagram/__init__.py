"""Architecture diagrams of synthesized stacks: what will be built and who may reach what, as Mermaid text.

from gpulab.diagram import stack_graph, mermaid
print(mermaid(stack_graph(json.loads(Path("cdktf.out/stacks/dev/cdk.tf.json").read_text()))))
"""

from gpulab.diagram.graph import Graph, stack_graph
from gpulab.diagram.mermaid import mermaid

__all__ = ["Graph", "mermaid", "stack_graph"]
