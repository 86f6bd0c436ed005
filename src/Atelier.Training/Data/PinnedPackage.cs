namespace Atelier.Training.Data;

/// <summary>
/// An npm package at an exact version with the registry's <c>dist.integrity</c> (Subresource Integrity, sha512)
/// recorded when the data set was designed. A tarball that does not hash to it is refused: an upstream that changed
/// under the same version is detected, not silently trained on.
/// </summary>
/// <param name="Name">npm name, e.g. <c>@lobehub/fluent-emoji-3d</c>.</param>
/// <param name="Version">Exact version, never a range.</param>
/// <param name="Integrity"><c>sha512-</c> followed by the base64 digest.</param>
public sealed record PinnedPackage(string Name, string Version, string Integrity)
{
    /// <summary>The file name <c>npm pack</c> gives the tarball: scope '@' dropped, '/' → '-'.</summary>
    public string TarballFileName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

    /// <summary><c>name@version</c>, the spelling npm and the manifest use.</summary>
    public string Spec => $"{Name}@{Version}";

    public override string ToString() => Spec;

    // Values of `npm view <spec> dist.integrity`, read 2026-11-21; the versions are the ones the survey
    // (shared/research/open-data.md) counted.
    public static PinnedPackage EmojiDatasourceTwitter { get; } = new("emoji-datasource-twitter", "16.0.0",
        "sha512-7F+uCuHH+7Qnrc15P5tnbvKkg9E6tlzi4MnT2uW1RlN4pLYTza6cP/dstIfSDMtpjFLWuZewWg8jBbuL2eyELQ==");

    public static PinnedPackage EmojiDatasourceGoogle { get; } = new("emoji-datasource-google", "16.0.0",
        "sha512-ZRexfzs7MVoLnmzZmNsO4TKhnAJp5D++Vm6PpUpH/jEQQlemp3l88CjZ+DoZ2faM9R4QxZkOPJCoT8DlPhfQ3A==");

    public static PinnedPackage LobehubFluentEmoji3d { get; } = new("@lobehub/fluent-emoji-3d", "1.1.0",
        "sha512-Wlq2lVStTnr8BDpIJ0pEnTKO4LuDxxqTEhTvRtD1DLRF0me7ogeRQjKoehDHXuVJ2Qaecgl5wRBv60lUAG3h7g==");

    public static PinnedPackage IconifyFluentEmojiFlat { get; } = new("@iconify-json/fluent-emoji-flat", "1.2.6",
        "sha512-RY47RgPb47fYUiyrA64sIOL0+UU02s29sXpNBbIQRBUlPlfNFTKUmZDERGuxDs/7yNGWqQYvuaSYM1M4fRXlUw==");

    public static PinnedPackage EmojibaseData { get; } = new("emojibase-data", "17.0.0",
        "sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==");
}
