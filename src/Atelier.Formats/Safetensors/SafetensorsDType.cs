using Atelier.Tensors;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// Element types a safetensors header may name, spelled exactly as in the file. The member order is the order of
/// the reference library's <c>Dtype</c> enum (huggingface/safetensors, <c>safetensors/src/tensor.rs</c>), which its
/// writer uses to sort tensors (descending), so the order here is load-bearing: see
/// <see cref="SafetensorsTensorOrder.Reference"/>.
/// </summary>
/// <remarks>
/// Every type here is read and validated (its bit size is known), so a file holding e.g. an F64 buffer next to the
/// weights still opens; only the types Atelier computes with map to <see cref="DType"/>
/// (<see cref="SafetensorsDTypeExtensions.ToDType"/> refuses the others, naming the tensor).
/// </remarks>
#pragma warning disable CA1707 // names are the file's own spelling
public enum SafetensorsDType : byte
{
    BOOL,
    F4,
    F6_E2M3,
    F6_E3M2,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    F8_E8M0,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    C64,
    F64,
    I64,
    U64,
}
#pragma warning restore CA1707

public static class SafetensorsDTypeExtensions
{
    private static readonly string[] s_names = Enum.GetNames<SafetensorsDType>();

    /// <summary>Bits per element (4 and 6 for the packed micro-scaling floats, 8·bytes otherwise).</summary>
    public static int BitSize(this SafetensorsDType type) => type switch
    {
        SafetensorsDType.F4 => 4,
        SafetensorsDType.F6_E2M3 or SafetensorsDType.F6_E3M2 => 6,
        SafetensorsDType.BOOL or SafetensorsDType.U8 or SafetensorsDType.I8
            or SafetensorsDType.F8_E5M2 or SafetensorsDType.F8_E4M3 or SafetensorsDType.F8_E8M0 => 8,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 16,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 32,
        SafetensorsDType.C64 or SafetensorsDType.F64 or SafetensorsDType.I64 or SafetensorsDType.U64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a safetensors dtype"),
    };

    /// <summary>The spelling used in headers ("F32", "BF16", "F8_E4M3", ...).</summary>
    public static string ToHeaderString(this SafetensorsDType type) => s_names[(int)type];

    /// <summary>Parses a header dtype string (exact, case-sensitive, as the reference library does).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SafetensorsDType type)
    {
        for (int i = 0; i < s_names.Length; i++)
        {
            if (text.SequenceEqual(s_names[i]))
            {
                type = (SafetensorsDType)i;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>All header spellings, for error messages.</summary>
    public static string KnownNames => string.Join(", ", s_names);

    /// <summary>True when Atelier's tensor engine stores this type (see <see cref="ToDType"/>).</summary>
    public static bool IsSupported(this SafetensorsDType type) => TryToDType(type, out _);

    public static bool TryToDType(this SafetensorsDType type, out DType dtype)
    {
        switch (type)
        {
            case SafetensorsDType.F32: dtype = DType.F32; return true;
            case SafetensorsDType.F16: dtype = DType.F16; return true;
            case SafetensorsDType.BF16: dtype = DType.BF16; return true;
            case SafetensorsDType.I32: dtype = DType.I32; return true;
            case SafetensorsDType.I64: dtype = DType.I64; return true;
            case SafetensorsDType.U8: dtype = DType.U8; return true;
            case SafetensorsDType.BOOL: dtype = DType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>
    /// The engine type of a tensor, or a <see cref="NotSupportedException"/> naming the tensor, its file and its dtype
    /// when Atelier does not compute with that type (F64, I8, I16, U16, U32, U64, C64, the F8/F6/F4 families).
    /// </summary>
    public static DType ToDType(this SafetensorsDType type, string tensorName, string file)
    {
        if (TryToDType(type, out DType dtype))
            return dtype;
        throw new NotSupportedException(
            $"{file}: tensor '{tensorName}' has dtype {type.ToHeaderString()}, which Atelier does not load " +
            "(supported: F32, F16, BF16, I32, I64, U8, BOOL). Convert that tensor, e.g. to F32 or F16, with the tool that wrote the file.");
    }

    /// <summary>The safetensors spelling of an engine type (the writer's inverse of <see cref="ToDType"/>).</summary>
    public static SafetensorsDType FromDType(DType dtype) => dtype switch
    {
        DType.F32 => SafetensorsDType.F32,
        DType.F16 => SafetensorsDType.F16,
        DType.BF16 => SafetensorsDType.BF16,
        DType.I32 => SafetensorsDType.I32,
        DType.I64 => SafetensorsDType.I64,
        DType.U8 => SafetensorsDType.U8,
        DType.Bool => SafetensorsDType.BOOL,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors spelling for this dtype"),
    };
}
