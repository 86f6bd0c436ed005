using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Atelier.Training.Data;

/// <summary>
/// Assigns whole concepts to <c>train</c> or <c>heldout</c>: every style and skin tone of an emoji lands on the same
/// side, so validation loss measures generalisation to unseen concepts, not memorisation of a sibling image (survey,
/// "Notes on the mix"). The decision is a pure function of the concept, stable across runs and machines.
/// </summary>
public static class HeldOutSplit
{
    public const string Train = "train";
    public const string HeldOut = "heldout";

    /// <summary>About 5% of concepts are held out.</summary>
    public const double HeldOutFraction = 0.05;

    // Changing the salt reshuffles the split; it is versioned so a new split is a deliberate act.
    private const string Salt = "atelier-mini/heldout/v1\n";

    public static string Assign(string concept)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(Salt + concept));
        uint bucket = BinaryPrimitives.ReadUInt32BigEndian(hash);
        return bucket < HeldOutFraction * uint.MaxValue ? HeldOut : Train;
    }
}
