extension McNemarResult {
    /// McNemar's test pooled over replicates (e.g. seeds) that compare A and B on the same test images:
    /// the test on b = Σ bᵢ and c = Σ cᵢ.
    ///
    /// This is the Cochran–Mantel–Haenszel test for matched pairs (Agresti, "Categorical Data Analysis",
    /// §11.1): with one stratum per (image, seed) pair, rows A/B and columns right/wrong, a concordant pair has
    /// V = 0 and a discordant one a − E = ±½ and V = ¼, so χ²_MH = (Σbᵢ − Σcᵢ)² / (Σbᵢ + Σcᵢ) and its
    /// continuity-corrected form is McNemar's (|b − c| − 1)² / (b + c). The exact p is the binomial one on the
    /// pooled counts.
    ///
    /// What it assumes: under H₀ each of the b + c discordant (image, seed) pairs is independently A-right or
    /// B-right with probability ½. It conditions on the trained models: the seeds' models are taken as given,
    /// so it measures a difference beyond image noise, not beyond training noise (use the paired t over
    /// per-seed values for that). Because every seed uses the same images, an image that one model always
    /// gets wrong is discordant in several seeds; those pairs are positively correlated and the pooled p is
    /// then smaller than the evidence warrants. Read it as "these trained pairs differ on these images".
    public init(pooling replicates: [McNemarResult]) {
        precondition(!replicates.isEmpty, "pool at least one replicate")
        self.init(b: replicates.reduce(0) { $0 + $1.b }, c: replicates.reduce(0) { $0 + $1.c })
    }
}
