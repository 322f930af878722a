/* orpo — the length-weighted ORPO loss and its gradient (see orpo.h). */
#include "orpo.h"

double lc_orpo(double lpc, double lpr, double lc, double lr, double beta, double c,
               double *dc, double *dr, double *lor)
{
	/* log(1 - e^p) needs p < 0: clamp away from 0 */
	const double eps = 1e-9;
	if (lpc > -eps)
		lpc = -eps;
	if (lpr > -eps)
		lpr = -eps;
	double l1c = log(-expm1(lpc)), l1r = log(-expm1(lpr));
	double L = (lpc - lpr) - (l1c - l1r);
	double w = c * (lr - lc);
	if (w < 1)
		w = 1;
	double loss = -lpc - beta * lc_log_sigmoid(w * L);
	/* d/dp log(1 - e^p) = -e^p / (1 - e^p) = -1 / expm1(-p) */
	double dLc = 1.0 + 1.0 / expm1(-lpc);
	double dLr = -1.0 - 1.0 / expm1(-lpr);
	double dl = -beta * w * (1.0 - lc_sigmoid(w * L));
	if (dc)
		*dc = -1.0 + dl * dLc;
	if (dr)
		*dr = dl * dLr;
	if (lor)
		*lor = L;
	return loss;
}
