namespace Atelier.Training.Data;

/// <summary>
/// An npm package at an exact version with the registry's <c>dist.integrity</c> (Subresource Integrity, sha512)
/// recorded when the data set was designed. A tarball that does not hash to it is refused: an upstream that changed
/// under the same version is detected, not silently trained on.
/// </summary>
/// <param name="Name">npm name, e.g. <c>@lobehub/fluent-emoji-3d</c>, or Debian package name.</param>
/// <param name="Version">Exact version, never a range (Debian: with epoch, e.g. <c>1:0.18+dfsg-19</c>).</param>
/// <param name="Integrity">Subresource Integrity: <c>sha512-</c> (npm's <c>dist.integrity</c>) or <c>sha256-</c>
/// (Debian's <c>SHA256</c> field, base64) followed by the base64 digest.</param>
/// <param name="Registry">Where it comes from: npm (<c>npm pack</c>) or Debian (<c>apt-get download</c>).</param>
public sealed record PinnedPackage(string Name, string Version, string Integrity, PackageRegistry Registry = PackageRegistry.Npm)
{
    /// <summary>
    /// The file name the fetch tool gives the download: <c>npm pack</c> drops the scope's '@' and turns '/' into '-';
    /// <c>apt-get download</c> writes <c>name_version_all.deb</c> with the epoch colon percent-encoded.
    /// </summary>
    public string TarballFileName => Registry == PackageRegistry.Debian
        ? $"{Name}_{Version.Replace(":", "%3a", StringComparison.Ordinal)}_all.deb"
        : $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

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

    // Debian 12 (bookworm) main, `apt-cache show openclipart-svg` SHA256 989712d9…bdc5, as SRI base64.
    public static PinnedPackage OpenClipartSvg { get; } = new("openclipart-svg", "1:0.18+dfsg-19",
        "sha256-mJcS2Q1X36MjAEn1U7tDt2ww7k1LjF9uEG4z99tcvcU=", PackageRegistry.Debian);

    public static PinnedPackage EmojibaseData { get; } = new("emojibase-data", "17.0.0",
        "sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==");
}
