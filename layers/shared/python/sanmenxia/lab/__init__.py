"""Lab results (核酸检测结果): labs upload results (CSV on S3, or one by the API); positives hold the code and open
a confirmed-case record; negatives count toward the release criteria (``healthcode/release.json``)."""
