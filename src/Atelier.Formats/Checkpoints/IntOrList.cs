namespace Atelier.Formats.Checkpoints;

/// <summary>
/// A diffusers config value given either as one integer for every block or as a list with one entry per block
/// (<c>attention_head_dim: 8</c> in SD 1.x, <c>[5, 10, 20, 20]</c> in SD 2.x). Keeps the form it was written in.
/// </summary>
public sealed record IntOrList
{
    private IntOrList(int? scalar, ValueArray<int>? list)
    {
        Scalar = scalar;
        List = list;
    }

    /// <summary>The single value, when written as one integer.</summary>
    public int? Scalar { get; }

    /// <summary>The per-block values, when written as a list.</summary>
    public ValueArray<int>? List { get; }

    public static IntOrList Of(int value) => new(value, null);

    public static IntOrList Of(params int[] values) => new(null, values);

    public static implicit operator IntOrList(int value) => Of(value);

    /// <summary>One value per block: the scalar repeated, or the list when it has exactly <paramref name="blocks"/> entries.</summary>
    public int[] PerBlock(int blocks, string field)
    {
        if (Scalar is int value)
            return Enumerable.Repeat(value, blocks).ToArray();
        if (List!.Count != blocks)
            throw new ArgumentException($"'{field}' lists {List.Count} values but the model has {blocks} blocks.");
        return List.ToArray();
    }

    public override string ToString() => Scalar?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? List!.ToString();
}
