"""The referrals screen."""
