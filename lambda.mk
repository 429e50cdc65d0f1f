# lambda.mk — packaging herd as the AWS Lambda `bootstrap` (issue: distributed
# mode). Included by the Makefile. Empty until the Lambda build lands; kept so
# the layout is stable.
