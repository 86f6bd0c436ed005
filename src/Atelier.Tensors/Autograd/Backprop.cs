namespace Atelier.Tensors;

/// <summary>
/// The backward pass: orders the recorded graph topologically from the root, runs each node's rule once with the
/// sum of the gradients of its output, and accumulates into the <see cref="Tensor.Grad"/> of leaves that require
/// grad. Runs with recording disabled (no higher-order gradients). The order of accumulation is fixed by the
/// graph, so results are deterministic.
/// </summary>
internal static class Backprop
{
    public static void Run(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"backward: tensor {root.Shape} does not require grad (no input of the computation had RequiresGrad = true, or it ran under Autograd.NoGrad()).");
        using var noGrad = Autograd.NoGrad();
        Tensor seed;
        if (gradient is null)
        {
            if (root.ElementCount != 1)
                throw new TensorShapeException("backward", $"implicit gradient for tensor {root.Shape} with {root.ElementCount} elements", "a one-element tensor, or pass the upstream gradient explicitly");
            seed = Tensor.Ones(root.Shape);
        }
        else
        {
            if (gradient.Shape != root.Shape)
                throw new TensorShapeException("backward", $"gradient shape {gradient.Shape} for tensor {root.Shape}", "the same shape as the tensor");
            seed = gradient.AsF32Contiguous();
        }

        if (root.GradFn is null)
        {
            AccumulateLeaf(root, seed);
            return;
        }

        var order = TopologicalOrder(root.GradFn);
        var grads = new Dictionary<GradNode, Tensor>(ReferenceEqualityComparer.Instance) { [root.GradFn] = seed };
        for (int n = order.Count - 1; n >= 0; n--)
        {
            GradNode node = order[n];
            if (!grads.Remove(node, out Tensor? g)) continue;
            Tensor?[] inputGrads = node.Rule(node, g);
            if (inputGrads.Length != node.Inputs.Length)
                throw new InvalidOperationException($"autograd: the rule of {node.Op} returned {inputGrads.Length} gradients for {node.Inputs.Length} inputs.");
            for (int i = 0; i < inputGrads.Length; i++)
            {
                Tensor? input = node.Inputs[i];
                Tensor? gi = inputGrads[i];
                if (input is null || !input.RequiresGrad || gi is null) continue;
                if (gi.Shape != input.Shape)
                    throw new InvalidOperationException($"autograd: the rule of {node.Op} returned a gradient of shape {gi.Shape} for input {i} of shape {input.Shape}.");
                if (input.GradFn is null)
                    AccumulateLeaf(input, gi);
                else if (grads.TryGetValue(input.GradFn, out Tensor? existing))
                    grads[input.GradFn] = Ops.Add(existing, gi);
                else
                    grads[input.GradFn] = gi;
            }
        }
    }

    private static void AccumulateLeaf(Tensor leaf, Tensor g)
    {
        if (leaf.Grad is null)
        {
            var grad = Tensor.Empty(leaf.Shape, DType.F32, scoped: false);
            grad.CopyFromUnchecked(g);
            leaf.Grad = grad;
        }
        else
        {
            Ops.AddInPlace(leaf.Grad, g);
        }
    }

    /// <summary>Nodes such that every node comes after all nodes that consume its output (root first).</summary>
    private static List<GradNode> TopologicalOrder(GradNode root)
    {
        // Iterative post-order DFS from the root over input edges; reversed, it lists producers before consumers.
        var visited = new HashSet<GradNode>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<GradNode>();
        var stack = new Stack<(GradNode Node, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                GradNode? child = node.Inputs[next]?.GradFn;
                if (child is not null && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                postOrder.Add(node);
            }
        }
        // postOrder has producers first; the caller walks it from the end (root) backwards.
        return postOrder;
    }
}
