import Foundation

/// Hyperband's schedule (Li et al., "Hyperband: A Novel Bandit-Based Approach to
/// Hyperparameter Optimization", JMLR 2018, Algorithm 1), with budgets in epochs.
///
/// With R = `maxEpochs` and η = `factor`: s_max = ⌊log_η R⌋ and B = (s_max + 1)·R. Bracket
/// s (from s_max down to 0) starts n = ⌈(B/R)·η^s/(s+1)⌉ configurations at r = R·η^-s epochs,
/// then runs successive halving: round i keeps n_i = ⌊n·η^-i⌋ configurations (the best of the
/// previous round) at r_i = r·η^i epochs. For R = 27, η = 3: brackets of 27, 12, 6 and 4
/// configurations starting at 1, 3, 9 and 27 epochs.
public struct HyperbandSchedule: Equatable, Sendable {
    public struct Round: Equatable, Sendable {
        /// How many configurations run in this round.
        public let configurations: Int
        /// The epoch budget each gets (total epochs trained, not additional ones).
        public let epochs: Int
    }

    public struct Bracket: Equatable, Sendable {
        /// s in Li et al.'s notation: the bracket with s = s_max explores most.
        public let s: Int
        public let rounds: [Round]
    }

    public let maxEpochs: Int
    public let factor: Int
    public let brackets: [Bracket]

    public init(maxEpochs: Int, factor: Int = 3) throws {
        guard maxEpochs >= 1 else { throw TuneError("tune.hyperband: max_epochs must be at least 1, got \(maxEpochs)") }
        guard factor >= 2 else { throw TuneError("tune.hyperband: factor must be at least 2, got \(factor)") }
        self.maxEpochs = maxEpochs
        self.factor = factor
        // s_max = floor(log_factor(R)), in integers to avoid log rounding (log(27)/log(3) = 3.0000000000000004).
        var sMax = 0
        var power = 1
        while power * factor <= maxEpochs { power *= factor; sMax += 1 }
        let R = Double(maxEpochs), eta = Double(factor)
        let B = Double(sMax + 1) * R
        var brackets: [Bracket] = []
        for s in stride(from: sMax, through: 0, by: -1) {
            let etaS = pow(eta, Double(s))
            // ceil, forgiving the last bit of floating-point error (4·27/4 must stay 27).
            let n = Int((B / R * etaS / Double(s + 1) - 1e-9).rounded(.up))
            var rounds: [Round] = []
            for i in 0...s {
                let ni = Int((Double(n) / pow(eta, Double(i)) + 1e-9).rounded(.down))
                // The last round always trains the full budget; earlier ones R·η^(i-s), at least 1.
                let ri = i == s ? maxEpochs : max(1, Int((R * pow(eta, Double(i - s)) + 1e-9).rounded(.down)))
                if ni >= 1 { rounds.append(Round(configurations: ni, epochs: ri)) }
            }
            brackets.append(Bracket(s: s, rounds: rounds))
        }
        self.brackets = brackets
    }

    /// Trial slots over all brackets and rounds (every evaluation is one trial).
    public var totalTrials: Int { brackets.reduce(0) { $0 + $1.rounds.reduce(0) { $0 + $1.configurations } } }
}
