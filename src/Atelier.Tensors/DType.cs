namespace Atelier.Tensors;

/// <summary>
/// Element types a tensor can store. Compute is float32; <see cref="F16"/> and <see cref="BF16"/> are storage
/// types for weights (a half-precision checkpoint stays half precision in memory and is widened on the fly);
/// integer and boolean types carry ids, indices and masks.
/// </summary>
public enum DType : byte
{
    F32,
    F16,
    BF16,
    I32,
    I64,
    U8,
    Bool,
}

public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this DType type) => type switch
    {
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 => 2,
        DType.I64 => 8,
        DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown dtype"),
    };

    /// <summary>True for the floating-point types (compute or storage).</summary>
    public static bool IsFloating(this DType type) => type is DType.F32 or DType.F16 or DType.BF16;
}
